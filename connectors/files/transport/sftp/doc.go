// Package sftp is the SFTP [transport.Transport], built on
// github.com/pkg/sftp over golang.org/x/crypto/ssh: password or private key
// login, and the server's host key pinned on first use (or to a configured
// fingerprint), so that a server whose key changes is refused with a clear
// message instead of being trusted silently.
package sftp
