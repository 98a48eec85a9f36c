// Package xml reads records from XML files with a streaming token loop and
// writes records as XML. The reader picks the elements at a record path
// such as /Products/Product; attributes become "@name" keys, repeated child
// elements become lists, and namespaces are reduced to local names.
//
// No entity is ever expanded: a DOCTYPE that declares entities is refused
// before anything else is read. A guard in front of encoding/xml cuts text
// over the element limit and replaces characters XML does not allow, so
// that such a record fails alone and the file goes on; markup over the
// record limit and nesting deeper than the depth limit end the file early
// with a clear error.
package xml
