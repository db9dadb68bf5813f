package analyze

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckStatement(t *testing.T) {
	for stmt, want := range map[string]string{
		"SELECT 1": "",
		"  -- a comment\n/* another */ select * from traces": "",
		"WITH x AS (SELECT 1) SELECT * FROM x;":              "",
		"EXPLAIN SELECT 1":                                   "",
		"DESCRIBE traces":                                    "",
		"SHOW TABLES":                                        "",
		"SELECT ';' AS semi":                                 "",
		"COPY traces TO '/tmp/x.csv'":                        "COPY may write files",
		"ATTACH 'x.db'":                                      "ATTACH may write files",
		"INSTALL httpfs":                                     "INSTALL may write files",
		"LOAD httpfs":                                        "LOAD may write files",
		"SELECT 1; SELECT 2":                                 "one statement at a time",
		"SELECT 1; COPY traces TO 'x'":                       "one statement at a time",
		"   ":                                                "the statement is empty",
		"-- only a comment":                                  "the statement is empty",
	} {
		err := CheckStatement(stmt, false)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v, want it run", stmt, err)
		case want != "" && (err == nil || !errors.Is(err, ErrStatement) || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want %q", stmt, err, want)
		}
	}
	if err := CheckStatement("COPY traces TO 'x.csv'", true); err != nil {
		t.Errorf("--allow-write: %v", err)
	}
	if err := CheckStatement("SELECT 1; SELECT 2", true); err == nil {
		t.Error("--allow-write still runs one statement at a time")
	}
}

// FuzzCheckStatement: any text gets an answer, never a panic, and what it
// lets through without --allow-write starts with a reading keyword.
func FuzzCheckStatement(f *testing.F) {
	for _, s := range []string{"SELECT 1", "COPY t TO 'x'", "/* x */ SHOW TABLES", "SELECT ';'; DROP TABLE x", "--\nselect", "'unterminated", "/* open"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stmt string) {
		if CheckStatement(stmt, false) != nil {
			return
		}
		first := strings.ToUpper(firstWord(stmt))
		switch first {
		case "SELECT", "WITH", "EXPLAIN", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE", "FROM", "VALUES", "TABLE", "(":
		default:
			t.Fatalf("%q let through, starting with %q", stmt, first)
		}
	})
}

// brink query refuses a writing statement before it opens the run, and an
// unknown table's error lists the views.
func TestQueryRefusesAndLists(t *testing.T) {
	dir, _ := fixtureRun(t)
	var out strings.Builder
	target := filepath.Join(t.TempDir(), "x.csv")
	if _, err := Query(context.Background(), dir, "COPY traces TO '"+target+"'", "table", false, &out); !errors.Is(err, ErrStatement) {
		t.Fatalf("COPY: %v", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatal("a refused COPY wrote its file")
	}
	if _, err := Query(context.Background(), dir, "SELECT * FROM nope", "table", false, &out); err == nil || !strings.Contains(err.Error(), "the views are traces, windows, hold, ramp") {
		t.Fatalf("unknown table: %v", err)
	}
	if _, err := Query(context.Background(), dir, "COPY (SELECT 1 AS x) TO '"+target+"'", "table", true, &out); err != nil {
		t.Fatalf("--allow-write: %v", err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "x") {
		t.Fatalf("--allow-write COPY wrote %q", b)
	}
}
