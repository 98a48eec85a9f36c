// Package transporttest is the conformance suite every transport runs: the
// same checks against a local folder, FTP, FTPS and SFTP, so that the file
// connectors behave alike over each. It also reads the integration test
// servers' settings from the environment.
package transporttest
