// Package transport is the small interface the file connectors move files
// through, whatever the protocol: list a folder by pattern, stream a file
// in, write a file under a temporary name and rename it into place, move,
// remove, make folders and stat. [Local] implements it on a local folder;
// the ftp and sftp sub-packages over the network.
//
// Every path a Transport takes is relative to the folder it was opened on,
// slash-separated, and may not climb out of it: an absolute path or a ".."
// element is refused with [ErrUnsafePath] before anything is sent.
package transport
