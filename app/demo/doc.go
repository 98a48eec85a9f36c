// Package demo installs a working demo integration on local folders: a
// supplier's CSV product feeds (UTF-8, Windows-1252 and UTF-16, one row with
// a bad price) flow into XML files for a shop, so that a newcomer sees real
// transactions on the Activity page, one of them failing, within a minute of
// the first start. See docs/demo.md.
package demo
