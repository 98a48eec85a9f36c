package demo_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/app/demo"
)

func TestUninstallRemovesEverything(t *testing.T) {
	s := newServer(t, nil)
	res, _ := runDemo(t, s)
	for _, want := range []bool{true, false} {
		had, err := demo.Uninstall(s.app, s.app.DataDir())
		if err != nil || had != want {
			t.Fatalf("Uninstall = %v, %v; want %v", had, err, want)
		}
	}
	for _, col := range []string{"connections", "integrations", "flows", "runs", "transactions", "xrefs"} {
		if n := s.count(t, col); n != 0 {
			t.Errorf("%s: %d records left", col, n)
		}
	}
	if _, err := os.Stat(res.Dir); !os.IsNotExist(err) {
		t.Errorf("demo folder still there: %v", err)
	}
	again, err := demo.Install(s.app, s.app.DataDir())
	if err != nil || !again.Created {
		t.Fatalf("Install after Uninstall = %+v, %v", again, err)
	}
}

func TestCommand(t *testing.T) {
	s := newServer(t, nil)
	steps := []struct {
		args         []string
		want         string
		integrations int
	}{
		{[]string{"install"}, "Demo installed in ", 1},
		{[]string{"install"}, "installed already", 1},
		{[]string{"remove"}, "Demo removed.", 0},
		{[]string{"remove"}, "No demo integration found", 0},
	}
	for _, st := range steps {
		var out bytes.Buffer
		cmd := demo.Command(s.sb)
		cmd.SetOut(&out)
		cmd.SetArgs(st.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("demo %v: %v", st.args, err)
		}
		if !strings.Contains(out.String(), st.want) {
			t.Errorf("demo %v said %q, want %q", st.args, out.String(), st.want)
		}
		if n := s.count(t, "integrations"); n != st.integrations {
			t.Errorf("after demo %v: %d integrations, want %d", st.args, n, st.integrations)
		}
	}
}
