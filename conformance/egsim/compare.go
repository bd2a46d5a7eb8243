package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// egTrace is the part of egress-guard's `explain -o json` the comparison reads.
type egTrace struct {
	Path    string `json:"path"`
	Reached bool   `json:"reached"`
	Broken  bool   `json:"broken"`
	Outcome string `json:"outcome"`
	Hops    []struct {
		Kind    string `json:"kind"`
		Verdict string `json:"verdict"`
		Code    string `json:"code"`
		Summary string `json:"summary"`
	} `json:"hops"`
}

var gatewayService = regexp.MustCompile(`connects to ([^ :,]+)`)

var throughGateway = regexp.MustCompile(`reached through egress gateway ([^ ,]+)`)

// egClass maps egress-guard's trace to the outcome classes of the simulation. NetworkPolicy hops are out of
// the simulation's scope: a request stopped only by a policy is classified by its routing path.
func egClass(t egTrace) (string, string) {
	if t.Path == "ambient" {
		return "ambient", t.Outcome // ztunnel's path, which explain does not follow further
	}
	routingStop := !t.Reached && !strings.Contains(t.Outcome, "not reached: NetworkPolicy")
	if t.Path == "in-mesh" && !routingStop {
		return "in-mesh", t.Outcome
	}
	if !routingStop {
		if t.Path == "egress-gateway" {
			if m := throughGateway.FindStringSubmatch(t.Outcome); m != nil {
				return "gateway:" + m[1], t.Outcome
			}
			for _, h := range t.Hops {
				if m := gatewayService.FindStringSubmatch(h.Summary); h.Kind == "egress-gateway-service" && m != nil {
					return "gateway:" + m[1], t.Outcome
				}
			}
			return "gateway:?", t.Outcome
		}
		return "direct", t.Outcome
	}
	// The hop that stops the request: a broken hop after which every routing hop is skipped.
	type hop = struct {
		Kind    string `json:"kind"`
		Verdict string `json:"verdict"`
		Code    string `json:"code"`
		Summary string `json:"summary"`
	}
	var routing []hop
	for _, h := range t.Hops {
		if !strings.HasPrefix(h.Kind, "policy-") {
			routing = append(routing, h)
		}
	}
	var stop *hop
	for i := range routing {
		if routing[i].Verdict != "broken" {
			continue
		}
		rest := true
		for _, later := range routing[i+1:] {
			if later.Verdict != "skipped" {
				rest = false
			}
		}
		if rest {
			stop = &routing[i]
			break
		}
	}
	if stop == nil {
		switch t.Path {
		case "in-mesh":
			return "in-mesh", t.Outcome
		case "direct":
			return "direct", t.Outcome
		}
		return "error", t.Outcome
	}
	{
		h := *stop
		switch h.Kind {
		case "egress-gateway-service", "sidecar-route":
			return "no-cluster", t.Outcome
		case "gateway-server":
			return "no-route", t.Outcome
		case "gateway-route":
			if h.Code == "EG202" && !strings.Contains(h.Summary, "(no cluster)") {
				return "loop", t.Outcome
			}
			if h.Code == "EG202" || h.Code == "EG212" || h.Code == "EG504" || h.Code == "EG506" {
				return "no-cluster", t.Outcome
			}
			return "no-route", t.Outcome
		case "service-entry":
			if h.Code == "" && strings.Contains(h.Summary, "BlackHoleCluster") {
				return "blackhole", t.Outcome
			}
			switch h.Code {
			case "EG101":
				return "no-endpoints", t.Outcome
			case "EG103":
				return "tls-mismatch", t.Outcome
			}
			return "no-cluster", t.Outcome
		}
	}
	return "error", t.Outcome
}

type limit struct {
	re   *regexp.Regexp
	raw  string
	why  string
	used int
}

// readLimits reads known-limits.txt: one entry a line, `PATTERN | explanation`. PATTERN is matched (`*` is any
// text) against `CASE-ID istio=CLASS eg=CLASS tags=TAG,...` (tags: features of the bundle, see Mesh.tags).
func readLimits(path string) ([]*limit, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	var out []*limit
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pat, why, _ := strings.Cut(line, "|")
		pat = strings.TrimSpace(pat)
		var b strings.Builder
		b.WriteString("^")
		for _, part := range strings.Split(pat, "*") {
			b.WriteString(regexp.QuoteMeta(part))
			b.WriteString(".*")
		}
		re := strings.TrimSuffix(b.String(), ".*") + "$"
		out = append(out, &limit{re: regexp.MustCompile(re), raw: pat, why: strings.TrimSpace(why)})
	}
	return out, sc.Err()
}

type outcome struct {
	Case      Case
	Istio     SimResult
	IstioRaw  json.RawMessage
	EG        string
	EGDetail  string
	EGRaw     []byte
	Agree     bool
	Limit     *limit
	Signature string
}

func cmdCompare(args []string) (int, error) {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	planFile := fs.String("plan", "", "plan.json")
	istioFile := fs.String("istio", "", "results of egsim sim")
	egDir := fs.String("eg", "", "egress-guard outputs")
	anDir := fs.String("analyze", "", "istioctl analyze outputs (optional)")
	known := fs.String("known", "", "known-limits file")
	outDir := fs.String("out", "", "where disagreements are written")
	_ = fs.Parse(args)
	plan, err := readPlan(*planFile)
	if err != nil {
		return 2, err
	}
	limits, err := readLimits(*known)
	if err != nil {
		return 2, err
	}
	istio := map[string]json.RawMessage{}
	f, err := os.Open(*istioFile)
	if err != nil {
		return 2, err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var head struct {
			ID string `json:"id"`
		}
		line := append([]byte{}, sc.Bytes()...)
		if json.Unmarshal(line, &head) == nil {
			istio[head.ID] = line
		}
	}
	f.Close()

	type tally struct{ agree, total int }
	sets := map[string]*tally{"docs": {}, "examples": {}, "fixtures": {}, "generated": {}}
	var all []outcome
	for _, c := range plan.Cases() {
		o := outcome{Case: c}
		raw, ok := istio[c.ID]
		if !ok {
			o.Istio = SimResult{Class: "error", Failure: "no simulation result"}
		} else {
			o.IstioRaw = raw
			_ = json.Unmarshal(raw, &o.Istio)
		}
		n := c.ID[strings.LastIndex(c.ID, "/")+1:]
		egFile := filepath.Join(*egDir, c.Bundle, n+".json")
		data, err := os.ReadFile(egFile)
		o.EGRaw = data
		var t egTrace
		switch {
		case err != nil:
			o.EG, o.EGDetail = "error", "no output: "+err.Error()
		case json.Unmarshal(data, &t) != nil:
			o.EG, o.EGDetail = "error", strings.TrimSpace(string(data))
		default:
			o.EG, o.EGDetail = egClass(t)
		}
		o.Agree = o.EG == o.Istio.Class
		o.Signature = fmt.Sprintf("%s istio=%s eg=%s tags=%s", c.ID, o.Istio.Class, o.EG, strings.Join(o.Istio.Tags, ","))
		if !o.Agree {
			for _, l := range limits {
				if l.re.MatchString(o.Signature) {
					o.Limit = l
					l.used++
					break
				}
			}
		}
		t2 := sets[c.Set]
		t2.total++
		if o.Agree {
			t2.agree++
		}
		all = append(all, o)
	}
	// Disagreements: one self-contained directory each.
	unexplained := 0
	dis := filepath.Join(*outDir, "disagreements")
	_ = os.RemoveAll(dis)
	classes := map[string][]string{}
	for _, o := range all {
		if o.Agree {
			continue
		}
		key := fmt.Sprintf("istio=%s eg=%s", o.Istio.Class, o.EG)
		classes[key] = append(classes[key], o.Case.ID)
		tag := "UNEXPLAINED"
		if o.Limit != nil {
			tag = "known: " + o.Limit.why
		} else {
			unexplained++
		}
		dir := filepath.Join(dis, safe(o.Case.ID))
		if err := writeCase(dir, plan.bundle(o.Case.Bundle), o); err != nil {
			return 2, err
		}
		fmt.Printf("disagree %s: Istio %s (%s), egress-guard %s (%s) [%s]\n", o.Case.ID, o.Istio.Class,
			o.Istio.Detail, o.EG, o.EGDetail, tag)
	}
	// Summary by class.
	var keys []string
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var summary strings.Builder
	for _, k := range keys {
		ids := classes[k]
		fmt.Fprintf(&summary, "%4d  %s  e.g. %s\n", len(ids), k, ids[0])
	}
	if summary.Len() > 0 {
		fmt.Print("disagreement classes:\n" + summary.String())
		fmt.Printf("disagreement cases written under %s\n", dis)
	}
	if len(limits) > 0 {
		fmt.Fprintf(&summary, "known limits used:\n")
		for _, l := range limits {
			fmt.Fprintf(&summary, "%4d  %s\n", l.used, l.raw)
		}
		fmt.Printf("known limits used:\n")
		for _, l := range limits {
			fmt.Printf("%4d  %s | %s\n", l.used, l.raw, l.why)
		}
	}
	_ = os.WriteFile(filepath.Join(*outDir, "disagreement-classes.txt"), []byte(summary.String()), 0o644)
	if *anDir != "" {
		failing := map[string]bool{}
		for _, o := range all {
			c := o.Istio.Class
			if c != "direct" && c != "in-mesh" && !strings.HasPrefix(c, "gateway:") {
				failing[o.Case.Bundle] = true
			}
		}
		if err := coverage(plan, failing, *egDir, *anDir, *outDir); err != nil {
			fmt.Fprintln(os.Stderr, "coverage table: "+err.Error())
		}
	}
	agree, total := 0, 0
	for _, t := range sets {
		agree += t.agree
		total += t.total
	}
	fmt.Printf("unexplained disagreements: %d\n", unexplained)
	fmt.Printf("agreement: %d/%d (docs corpus %d/%d, examples %d/%d, fixtures %d/%d, generated %d/%d)\n", agree, total,
		sets["docs"].agree, sets["docs"].total, sets["examples"].agree, sets["examples"].total,
		sets["fixtures"].agree, sets["fixtures"].total, sets["generated"].agree, sets["generated"].total)
	if unexplained > 0 {
		return 1, nil
	}
	return 0, nil
}

func writeCase(dir string, b *Bundle, o outcome) error {
	if err := os.MkdirAll(filepath.Join(dir, "bundle"), 0o755); err != nil {
		return err
	}
	files, _ := bundleFiles(b.Paths)
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%02d-%s", i+1, filepath.Base(f))
		if err := os.WriteFile(filepath.Join(dir, "bundle", name), data, 0o644); err != nil {
			return err
		}
	}
	r := o.Case.Req
	req := fmt.Sprintf("case: %s\nbundle: %s (%s)\nrequest: from %s to %s:%d over %s\n\nIstio (pilot simulation): %s\n  %s\negress-guard explain: %s\n  %s\n",
		o.Case.ID, b.ID, strings.Join(b.Paths, " "), r.From, r.Host, r.Port, r.Protocol, o.Istio.Class, o.Istio.Detail, o.EG, o.EGDetail)
	if o.Limit != nil {
		req += "known limit: " + o.Limit.why + "\n"
	}
	req += fmt.Sprintf("\nreproduce:\n  java -jar target/quarkus-app/quarkus-run.jar explain --from %s --to %s:%d --protocol %s -o json %s/bundle\n  egsim trace --from %s --to %s:%d --protocol %s %s/bundle\n",
		r.From, r.Host, r.Port, r.Protocol, dir, r.From, r.Host, r.Port, r.Protocol, dir)
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte(req), 0o644); err != nil {
		return err
	}
	var pretty []byte
	if o.IstioRaw != nil {
		var v any
		_ = json.Unmarshal(o.IstioRaw, &v)
		pretty, _ = json.MarshalIndent(v, "", "  ")
	}
	if err := os.WriteFile(filepath.Join(dir, "istio.json"), pretty, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "egress-guard.json"), o.EGRaw, 0o644)
}

// coverage writes the side-by-side table of the codes egress-guard's check and istioctl analyze report.
func coverage(plan Plan, failing map[string]bool, egDir, anDir, outDir string) error {
	var b strings.Builder
	b.WriteString("| bundle | egress-guard check (warning/error) | istioctl analyze |\n|---|---|---|\n")
	type agg struct{ bundles, fail, eg, an, egFail, anFail int }
	per := map[string]*agg{}
	group := func(bd Bundle) string {
		switch bd.Set {
		case "fixtures":
			name := bd.ID[strings.Index(bd.ID, "-")+1:]
			if strings.HasPrefix(name, "fail") {
				return "fixtures fail-*"
			}
			return "fixtures pass-*"
		case "generated":
			return "generated " + bd.Shape
		case "examples":
			if strings.Contains(bd.ID, "/broken-") {
				return "examples broken"
			}
			return "examples correct"
		}
		return bd.Set
	}
	var groups []string
	for _, bd := range plan.Bundles {
		egCodes := readEGCodes(filepath.Join(egDir, bd.ID, "check.txt"))
		anCodes := readAnalyze(filepath.Join(anDir, safe(bd.ID)+".json"))
		fmt.Fprintf(&b, "| %s | %s | %s |\n", bd.ID, strings.Join(egCodes, " "), strings.Join(anCodes, " "))
		g := group(bd)
		a := per[g]
		if a == nil {
			a = &agg{}
			per[g] = a
			groups = append(groups, g)
		}
		a.bundles++
		if failing[bd.ID] {
			a.fail++
		}
		if len(egCodes) > 0 {
			a.eg++
			if failing[bd.ID] {
				a.egFail++
			}
		}
		if len(anCodes) > 0 {
			a.an++
			if failing[bd.ID] {
				a.anFail++
			}
		}
	}
	sort.Strings(groups)
	var s strings.Builder
	s.WriteString("| bundles | count | a request fails in Istio | flagged by egress-guard check (of those failing) | flagged by istioctl analyze (of those failing) |\n|---|---|---|---|---|\n")
	for _, g := range groups {
		a := per[g]
		fmt.Fprintf(&s, "| %s | %d | %d | %d (%d) | %d (%d) |\n", g, a.bundles, a.fail, a.eg, a.egFail, a.an, a.anFail)
	}
	fmt.Print("coverage (bundles with a warning or error):\n" + s.String())
	return os.WriteFile(filepath.Join(outDir, "coverage.md"), []byte(s.String()+"\n"+b.String()), 0o644)
}

func readEGCodes(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return []string{"(none: " + filepath.Base(path) + " missing)"}
	}
	set := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		code, sev, _ := strings.Cut(strings.TrimSpace(l), " ")
		if sev == "warning" || sev == "error" {
			set[code] = true
		}
	}
	return sortedSet(set)
}

// readAnalyze reads `istioctl analyze -o json` and keeps the codes of warnings and errors.
func readAnalyze(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var msgs []struct {
		Code  string `json:"code"`
		Level string `json:"level"`
	}
	if json.Unmarshal(data, &msgs) != nil {
		return []string{"(unreadable)"}
	}
	set := map[string]bool{}
	for _, m := range msgs {
		if m.Level == "Warning" || m.Level == "Error" {
			set[m.Code] = true
		}
	}
	return sortedSet(set)
}

func sortedSet(set map[string]bool) []string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
