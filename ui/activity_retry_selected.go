package ui

import "slices"

// activityRetrySelected retries the failed or skipped transactions ticked
// on the Activity page; with none ticked it says to tick some.
func (u *UI) activityRetrySelected(r *request) error {
	if err := r.Request.ParseForm(); err != nil {
		return err
	}
	back := safeNext(r.Request.PostFormValue("back"))
	ids := slices.DeleteFunc(slices.Clone(r.Request.PostForm["id"]), func(id string) bool { return id == "" })
	if len(ids) == 0 {
		return r.refused(back, "flash.none_ticked")
	}
	n, err := u.sb.Engine().RetrySelectedSeen(ids, readSeen(r))
	if err != nil {
		return err
	}
	return r.done(back, "flash.retried", n)
}
