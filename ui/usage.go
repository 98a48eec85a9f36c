package ui

import (
	"encoding/csv"
	"net/http"
	"strconv"

	csvcodec "github.com/switchboard-app/switchboard/connectors/codec/csv"
)

// usageRow is one connection's reads and writes in one month.
type usageRow struct {
	Month      string `db:"month"`
	Connection string `db:"connection"`
	Reads      int64  `db:"reads"`
	Writes     int64  `db:"writes"`
}

// usageData is the usage page.
type usageData struct {
	page
	Rows []usageRow
}

func (u *UI) usageRows() ([]usageRow, error) {
	var rows []usageRow
	err := u.app().DB().NewQuery(`SELECT u.month, COALESCE(c.name, u.connection) AS connection, u.reads, u.writes
		FROM usage u LEFT JOIN connections c ON c.id = u.connection ORDER BY u.month DESC, connection`).All(&rows)
	return rows, err
}

func (u *UI) usageShow(r *request) error {
	rows, err := u.usageRows()
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "usage", usageData{page: r.page("usage", r.L.T("nav.usage")), Rows: rows})
}

// usageCSV serves the usage as a CSV file for a spreadsheet.
func (u *UI) usageCSV(r *request) error {
	rows, err := u.usageRows()
	if err != nil {
		return err
	}
	h := r.Response.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="switchboard-usage.csv"`)
	w := csv.NewWriter(r.Response)
	_ = w.Write([]string{"month", "connection", "reads", "writes"})
	for _, row := range rows {
		_ = w.Write(row.cells())
	}
	w.Flush()
	return w.Error()
}

// cells is the row as the CSV download writes it, with a connection's name
// that a spreadsheet would run as a formula neutralised as file targets do.
func (row usageRow) cells() []string {
	return []string{row.Month, csvcodec.Neutralise(row.Connection),
		strconv.FormatInt(row.Reads, 10), strconv.FormatInt(row.Writes, 10)}
}
