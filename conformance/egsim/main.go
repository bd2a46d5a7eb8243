// Command egsim runs egress-guard's conformance harness against Istio's own control plane: it loads a bundle
// of manifests into pilot's test discovery server and follows requests through the listeners, routes and
// clusters that pilot generates for the client sidecar and the egress gateway.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	istiolog "istio.io/istio/pkg/log"
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  egsim trace --from NS[/labels] --to HOST[:PORT] [--protocol http|tls] PATH...
  egsim plan --out DIR [--cases N] [--seed S] --repo ROOT [--docs DIR]
  egsim sim --plan FILE --out FILE
  egsim compare --plan FILE --istio FILE --eg DIR --analyze DIR --known FILE --out DIR
  egsim gen --seed S --cases N --out DIR`)
	os.Exit(2)
}

func quietLogs() {
	o := istiolog.DefaultOptions()
	o.OutputPaths = []string{"/dev/null"}
	o.ErrorOutputPaths = []string{"/dev/null"}
	if os.Getenv("EGSIM_DEBUG") != "" {
		o.OutputPaths = []string{"stderr"}
	}
	for _, s := range istiolog.Scopes() {
		o.SetDefaultOutputLevel(s.Name(), istiolog.ErrorLevel)
	}
	o.SetDefaultOutputLevel("all", istiolog.ErrorLevel)
	_ = istiolog.Configure(o)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	quietLogs()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "trace":
		err = cmdTrace(args)
	case "plan":
		err = cmdPlan(args)
	case "sim":
		err = cmdSim(args)
	case "compare":
		var code int
		code, err = cmdCompare(args)
		if err == nil {
			os.Exit(code)
		}
	case "gen":
		err = cmdGen(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "egsim "+cmd+": "+err.Error())
		os.Exit(2)
	}
}

func parseTo(to, protocol string) (Request, error) {
	r := Request{Host: to}
	if h, p, ok := strings.Cut(to, ":"); ok {
		port, err := strconv.Atoi(p)
		if err != nil {
			return r, fmt.Errorf("bad port in %q", to)
		}
		r.Host, r.Port = h, port
	}
	r.Protocol = protocol
	if r.Protocol == "" {
		if r.Port == 443 {
			r.Protocol = "tls"
		} else {
			r.Protocol = "http"
		}
	}
	if r.Port == 0 {
		if r.Protocol == "tls" {
			r.Port = 443
		} else {
			r.Port = 80
		}
	}
	return r, nil
}

func cmdTrace(args []string) error {
	fs := flag.NewFlagSet("trace", flag.ExitOnError)
	from := fs.String("from", "default", "client namespace[/labels]")
	to := fs.String("to", "", "host[:port]")
	proto := fs.String("protocol", "", "http or tls")
	_ = fs.Parse(args)
	r, err := parseTo(*to, *proto)
	if err != nil {
		return err
	}
	r.From = *from
	docs, err := loadBundle(fs.Args())
	if err != nil {
		return err
	}
	m, err := newMesh(docs)
	if err != nil {
		return err
	}
	defer m.Close()
	out, _ := json.MarshalIndent(m.Trace(r), "", "  ")
	fmt.Println(string(out))
	return nil
}
