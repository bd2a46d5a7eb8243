package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Bundle is one configuration (a set of files forming a cluster state) and the requests traced through it.
type Bundle struct {
	ID       string    `json:"id"`
	Set      string    `json:"set"` // docs, examples, fixtures, generated
	Paths    []string  `json:"paths"`
	Requests []Request `json:"requests"`
	Shape    string    `json:"shape,omitempty"` // generated: the shape or pitfall it exercises
}

// Case is one request through one bundle.
type Case struct {
	ID     string  `json:"id"`
	Bundle string  `json:"bundle"`
	Set    string  `json:"set"`
	Req    Request `json:"request"`
}

type Plan struct {
	Bundles []Bundle `json:"bundles"`
}

func (p Plan) Cases() []Case {
	var out []Case
	for _, b := range p.Bundles {
		for i, r := range b.Requests {
			out = append(out, Case{ID: fmt.Sprintf("%s/%d", b.ID, i+1), Bundle: b.ID, Set: b.Set, Req: r})
		}
	}
	return out
}

func (p Plan) bundle(id string) *Bundle {
	for i := range p.Bundles {
		if p.Bundles[i].ID == id {
			return &p.Bundles[i]
		}
	}
	return nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safe(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// routingFixture: the rule fixtures whose codes are about routing (EG1xx to EG5xx); NetworkPolicy rules (EG6xx)
// are out of the simulation's scope.
var routingFixture = regexp.MustCompile(`^EG[1-5][0-9][0-9]$`)

func cmdPlan(args []string) error {
	fs := flag.NewFlagSet("plan", flag.ExitOnError)
	out := fs.String("out", "", "output directory")
	cases := fs.Int("cases", 200, "generated bundles")
	seed := fs.Int64("seed", 1, "generator seed")
	repo := fs.String("repo", ".", "egress-guard repository root")
	docsDir := fs.String("docs", "", "Istio docs corpus (skipped when empty or absent)")
	perBundle := fs.Int("requests", 4, "requests per corpus/example/fixture bundle")
	_ = fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	var plan Plan
	addDerived := func(id, set string, paths []string) error {
		docs, err := loadBundle(paths)
		if err != nil {
			return fmt.Errorf("%s: %v", id, err)
		}
		plan.Bundles = append(plan.Bundles, Bundle{ID: id, Set: set, Paths: paths, Requests: deriveRequests(docs, *perBundle)})
		return nil
	}
	// 1. Istio's documentation corpus.
	if *docsDir != "" {
		if st, err := os.Stat(*docsDir); err == nil && st.IsDir() {
			var scen []string
			_ = filepath.Walk(*docsDir, func(p string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() && info.Name() == "config.yaml" {
					scen = append(scen, filepath.Dir(p))
				}
				return nil
			})
			sort.Strings(scen)
			for _, d := range scen {
				rel, _ := filepath.Rel(*docsDir, d)
				if err := addDerived("docs/"+safe(rel), "docs", []string{d}); err != nil {
					return err
				}
			}
		} else {
			fmt.Fprintf(os.Stderr, "docs corpus %s absent: skipped\n", *docsDir)
		}
	}
	// 2. The project's examples, each with the demo install.
	cluster := filepath.Join(*repo, "examples", "cluster")
	for _, sub := range []string{"correct", "broken"} {
		files, _ := filepath.Glob(filepath.Join(*repo, "examples", sub, "*.yaml"))
		sort.Strings(files)
		for _, f := range files {
			id := "examples/" + sub + "-" + safe(strings.TrimSuffix(filepath.Base(f), ".yaml"))
			if err := addDerived(id, "examples", []string{cluster, f}); err != nil {
				return err
			}
		}
	}
	// 3. The routing rule fixtures, each file alone (they carry their cluster objects).
	rules := filepath.Join(*repo, "src", "test", "resources", "rules")
	codes, _ := os.ReadDir(rules)
	for _, c := range codes {
		if !c.IsDir() || !routingFixture.MatchString(c.Name()) {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(rules, c.Name(), "*.yaml"))
		sort.Strings(files)
		for _, f := range files {
			id := "fixtures/" + c.Name() + "-" + safe(strings.TrimSuffix(filepath.Base(f), ".yaml"))
			if err := addDerived(id, "fixtures", []string{f}); err != nil {
				return err
			}
		}
	}
	// 3b. The fidelity cases (src/test/resources/fidelity), each with the demo install as the fidelity tests
	// read them; counted with the fixtures.
	fidelity, _ := filepath.Glob(filepath.Join(*repo, "src", "test", "resources", "fidelity", "*.yaml"))
	sort.Strings(fidelity)
	for _, f := range fidelity {
		id := "fixtures/fidelity-" + safe(strings.TrimSuffix(filepath.Base(f), ".yaml"))
		if err := addDerived(id, "fixtures", []string{cluster, f}); err != nil {
			return err
		}
	}
	// 4. Generated bundles.
	if *cases > 0 {
		gen, err := generate(*seed, *cases, filepath.Join(*out, "generated"))
		if err != nil {
			return err
		}
		plan.Bundles = append(plan.Bundles, gen...)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(plan, "", " ")
	if err := os.WriteFile(filepath.Join(*out, "plan.json"), data, 0o644); err != nil {
		return err
	}
	// The egress-guard side: one line per explain (and one check per bundle) for the batch runner.
	var tsv strings.Builder
	for _, b := range plan.Bundles {
		abs := make([]string, len(b.Paths))
		for i, p := range b.Paths {
			abs[i], _ = filepath.Abs(p)
		}
		for i, r := range b.Requests {
			outFile, _ := filepath.Abs(filepath.Join(*out, "egress-guard", b.ID, fmt.Sprintf("%d.json", i+1)))
			fmt.Fprintf(&tsv, "explain\t%s\t%s\t%s:%d\t%s\t%s\n", outFile, r.From, r.Host, r.Port, r.Protocol, strings.Join(abs, "\t"))
		}
		outFile, _ := filepath.Abs(filepath.Join(*out, "egress-guard", b.ID, "check.txt"))
		fmt.Fprintf(&tsv, "check\t%s\t%s\n", outFile, strings.Join(abs, "\t"))
	}
	if err := os.WriteFile(filepath.Join(*out, "egress-guard.tsv"), []byte(tsv.String()), 0o644); err != nil {
		return err
	}
	// The istioctl side: the files of each bundle.
	var an strings.Builder
	for _, b := range plan.Bundles {
		files, _ := bundleFiles(b.Paths)
		fmt.Fprintf(&an, "%s\t%s\n", b.ID, strings.Join(files, "\t"))
	}
	if err := os.WriteFile(filepath.Join(*out, "analyze.tsv"), []byte(an.String()), 0o644); err != nil {
		return err
	}
	n := 0
	for _, b := range plan.Bundles {
		n += len(b.Requests)
	}
	fmt.Printf("plan: %d bundles, %d requests\n", len(plan.Bundles), n)
	return nil
}

func readPlan(path string) (Plan, error) {
	var p Plan
	data, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(data, &p)
}

// cmdSim runs Istio's side for every case of the plan: one control plane per bundle.
func cmdSim(args []string) error {
	fs := flag.NewFlagSet("sim", flag.ExitOnError)
	planFile := fs.String("plan", "", "plan.json")
	out := fs.String("out", "", "results (JSON lines)")
	_ = fs.Parse(args)
	plan, err := readPlan(*planFile)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, b := range plan.Bundles {
		docs, err := loadBundle(b.Paths)
		var m *Mesh
		if err == nil {
			m, err = newMesh(docs)
		}
		for i, r := range b.Requests {
			id := fmt.Sprintf("%s/%d", b.ID, i+1)
			var res SimResult
			if err != nil {
				res = SimResult{Class: "error", Failure: err.Error()}
			} else {
				res = m.Trace(r)
			}
			_ = enc.Encode(struct {
				ID string `json:"id"`
				SimResult
			}{id, res})
		}
		if m != nil {
			m.Close()
		}
	}
	return nil
}
