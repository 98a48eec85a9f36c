package ui

// activityRetrySelected retries the failed or skipped transactions ticked
// on the Activity page.
func (u *UI) activityRetrySelected(r *request) error {
	if err := r.Request.ParseForm(); err != nil {
		return err
	}
	n, err := u.sb.Engine().RetrySelected(r.Request.PostForm["id"])
	if err != nil {
		return err
	}
	return r.done(safeNext(r.Request.PostFormValue("back")), "flash.retried", n)
}
