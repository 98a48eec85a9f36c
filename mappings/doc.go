// Package mappings turns native records into canonical records and back.
//
// A [Mapping] is a list of target fields, each computed by an expr-lang/expr
// expression over the source record. Connectors ship default mappings as
// JSON files ([ParseMappingFile], [LoadDefaults]); a flow's overrides
// replace or add single fields ([Merge]). [Rule] values apply business rules
// to the canonical record in a visible order, and filters skip records with a
// reason. [Compile] builds a [Program] once per flow version; [Program.Run]
// maps one record; [Preview] shows every stage of one sample record.
//
// Expressions use exact decimal arithmetic: float literals become decimals,
// and + - * / % and comparisons work on decimals, integers, json.Number
// values and numeric strings alike. Member access is nil-safe: a.b.c is nil
// when a is nil. The function library is listed by [Functions]; every
// function carries examples that a test runs.
//
// The canonical model lives in package canonical, the decimal type in
// package decimal. Errors are [FieldError] values naming the record, the
// field, the stage and, for expressions, the position.
package mappings
