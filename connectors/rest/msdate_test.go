package rest

import (
	"testing"
	"time"
)

func TestMicrosoftDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"/Date(1539993600000)/", time.Date(2018, 10, 20, 0, 0, 0, 0, time.UTC), true},
		{"/Date(1539993600000+0000)/", time.Date(2018, 10, 20, 0, 0, 0, 0, time.UTC), true},
		{" /Date(1539993600123+0200)/ ", time.Date(2018, 10, 20, 0, 0, 0, 123e6, time.UTC), true},
		{"/Date(-86400000)/", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{"2018-10-20T00:00:00Z", time.Time{}, false},
		{"/Date(99999999999999999999)/", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := MicrosoftDate(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("MicrosoftDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
