package demo_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/app/demo"
	"github.com/switchboard-app/switchboard/app/secrets"
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

// TestInstallCommandSealsTheWebhookSecret: demo install, run before any
// serve, stores its flow's webhook secret sealed; with a key that is not
// the data folder's, it installs nothing and says why.
func TestInstallCommandSealsTheWebhookSecret(t *testing.T) {
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	ta, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ta.Cleanup)
	sb := app.Register(ta, app.Options{})
	install := func() (string, error) {
		var out bytes.Buffer
		cmd := demo.Command(sb)
		cmd.SetOut(&out)
		cmd.SetArgs([]string{"install"})
		return out.String(), cmd.Execute()
	}
	t.Setenv("SWITCHBOARD_SECRET_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if _, err := install(); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := ta.DB().NewQuery("SELECT webhook_secret FROM flows").Row(&stored); err != nil {
		t.Fatal(err)
	}
	if !secrets.IsSealed(stored) {
		t.Fatalf("the demo flow's webhook secret is stored plain: %q", stored)
	}
	if _, err := demo.Uninstall(ta, ta.DataDir()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SWITCHBOARD_SECRET_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32)))
	if _, err := install(); err == nil || !strings.Contains(err.Error(), "not the key this data folder's secrets were sealed with") {
		t.Fatalf("installing with another key: %v", err)
	}
	var flows int
	if err := ta.DB().NewQuery("SELECT count(*) FROM flows").Row(&flows); err != nil || flows != 0 {
		t.Fatalf("with another key, %d flows were installed (%v)", flows, err)
	}
}
