// Package xml reads records from XML files with a streaming token loop and
// writes records as XML. The reader picks the elements at a record path
// such as /Products/Product; attributes become "@name" keys, repeated child
// elements become lists, and namespaces are reduced to local names.
//
// No entity is ever expanded: a DOCTYPE that declares entities is refused
// before anything else is read, and limits on depth, element size and
// record size stop hostile files early with a clear error.
package xml
