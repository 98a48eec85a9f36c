// Package ftp is the FTP and FTPS [transport.Transport], built on
// github.com/jlaffaye/ftp: passive mode, plain or TLS (explicit AUTH TLS or
// implicit), trusting a custom CA or a pinned certificate fingerprint, with
// TLS session reuse on data connections as servers such as vsftpd require.
//
// A transport keeps two connections for the length of a run: one for
// commands and one for file transfers, so a file can be moved while
// another is being read.
package ftp
