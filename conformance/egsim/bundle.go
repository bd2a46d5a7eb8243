package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Doc is one Kubernetes object of a bundle, namespace already defaulted.
type Doc struct {
	File       string
	APIVersion string
	Kind       string
	Name       string
	Namespace  string
	Obj        map[string]any
	YAML       string
}

func (d Doc) Group() string {
	if i := strings.Index(d.APIVersion, "/"); i >= 0 {
		return d.APIVersion[:i]
	}
	return ""
}

// Ref is "Kind ns/name" as egress-guard prints it.
func (d Doc) Ref() string { return fmt.Sprintf("%s %s/%s", d.Kind, d.Namespace, d.Name) }

var clusterScoped = map[string]bool{
	"Namespace": true, "GatewayClass": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"CustomResourceDefinition": true, "ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
}

// bundleFiles lists the YAML/JSON files of the paths, recursively and sorted (the order egress-guard reads them).
func bundleFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var files []string
		err = filepath.Walk(p, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if info.IsDir() {
				return nil
			}
			ext := strings.ToLower(filepath.Ext(path))
			if ext == ".yaml" || ext == ".yml" || ext == ".json" {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}

// splitDocs splits a multi-document YAML stream.
func splitDocs(s string) []string {
	var docs []string
	var cur []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.TrimLeft(line, "-")) == "" {
			docs = append(docs, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, line)
	}
	docs = append(docs, strings.Join(cur, "\n"))
	return docs
}

// loadBundle reads every object of the files. Objects without a namespace go to "default", as in egress-guard.
func loadBundle(paths []string) ([]Doc, error) {
	files, err := bundleFiles(paths)
	if err != nil {
		return nil, err
	}
	var docs []Doc
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, d := range splitDocs(string(raw)) {
			if strings.TrimSpace(stripComments(d)) == "" {
				continue
			}
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
				return nil, fmt.Errorf("%s: %v", f, err)
			}
			if obj == nil {
				continue
			}
			items := []map[string]any{obj}
			if k, _ := obj["kind"].(string); k == "List" {
				items = nil
				for _, it := range asSlice(obj["items"]) {
					if m, ok := it.(map[string]any); ok {
						items = append(items, m)
					}
				}
			}
			for _, o := range items {
				doc := Doc{File: f, Obj: o}
				doc.APIVersion, _ = o["apiVersion"].(string)
				doc.Kind, _ = o["kind"].(string)
				md, _ := o["metadata"].(map[string]any)
				if md == nil {
					md = map[string]any{}
					o["metadata"] = md
				}
				doc.Name, _ = md["name"].(string)
				doc.Namespace, _ = md["namespace"].(string)
				if !clusterScoped[doc.Kind] && doc.Namespace == "" {
					doc.Namespace = "default"
					md["namespace"] = "default"
				}
				if doc.Kind == "" {
					continue
				}
				out, err := yaml.Marshal(o)
				if err != nil {
					return nil, err
				}
				doc.YAML = string(out)
				docs = append(docs, doc)
			}
		}
	}
	return dedupe(docs), nil
}

// dedupe keeps the last of objects with the same group, kind, namespace and name (as consecutive applies).
func dedupe(docs []Doc) []Doc {
	last := map[string]int{}
	key := func(d Doc) string { return d.Group() + "/" + d.Kind + "/" + d.Namespace + "/" + d.Name }
	for i, d := range docs {
		last[key(d)] = i
	}
	var out []Doc
	for i, d := range docs {
		if last[key(d)] == i {
			out = append(out, d)
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		b.WriteString(l)
		b.WriteString("\n")
	}
	return b.String()
}

// --- small accessors on decoded YAML -------------------------------------------------------------------------

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	default:
		return fmt.Sprint(t)
	}
}

func asInt(v any) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case int:
		return t
	case int64:
		return int(t)
	case string:
		var i int
		fmt.Sscanf(t, "%d", &i)
		return i
	}
	return 0
}

func get(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm := asMap(cur)
		if mm == nil {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	for k, val := range asMap(v) {
		out[k] = asString(val)
	}
	return out
}

// --- requests ---------------------------------------------------------------------------------------------

// Request is one traced call: from a sidecar in a namespace (with pod labels) to host:port.
type Request struct {
	From     string `json:"from"` // NS or NS/k=v,k=v
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // http or tls
}

func (r Request) String() string {
	return fmt.Sprintf("%s -> %s:%d (%s)", r.From, r.Host, r.Port, r.Protocol)
}

func (r Request) Namespace() string {
	ns, _, _ := strings.Cut(r.From, "/")
	return ns
}

func (r Request) Labels() map[string]string {
	_, l, ok := strings.Cut(r.From, "/")
	out := map[string]string{}
	if !ok {
		return out
	}
	for _, kv := range strings.Split(l, ",") {
		k, v, _ := strings.Cut(kv, "=")
		if k != "" {
			out[k] = v
		}
	}
	return out
}

func injected(d Doc) bool {
	l := stringMap(get(d.Obj, "metadata", "labels"))
	if l["istio-injection"] == "enabled" {
		return true
	}
	return l["istio.io/rev"] != "" && l["istio-injection"] != "disabled"
}

// deriveRequests picks the requests worth tracing in a bundle that does not list its own: every external host
// of a ServiceEntry (a concrete name for wildcards) on its HTTP and TLS ports, from each injected namespace.
func deriveRequests(docs []Doc, max int) []Request {
	var clients []string
	nsKnown := false
	for _, d := range docs {
		if d.Kind == "Namespace" {
			nsKnown = true
			if injected(d) {
				clients = append(clients, d.Name)
			}
		}
	}
	sort.Strings(clients)
	if !nsKnown || len(clients) == 0 {
		clients = []string{"default"}
	}
	if len(clients) > 2 {
		clients = clients[:2]
	}
	type hp struct {
		host  string
		port  int
		proto string
	}
	var targets []hp
	seen := map[string]bool{}
	add := func(h string, port int, proto string) {
		if strings.HasPrefix(h, "*.") {
			h = "www" + h[1:]
		}
		if h == "*" || strings.HasSuffix(h, ".svc.cluster.local") || !strings.Contains(h, ".") {
			return
		}
		k := fmt.Sprintf("%s:%d:%s", h, port, proto)
		if !seen[k] {
			seen[k] = true
			targets = append(targets, hp{h, port, proto})
		}
	}
	for _, d := range docs {
		if d.Kind != "ServiceEntry" {
			continue
		}
		for _, h := range asSlice(get(d.Obj, "spec", "hosts")) {
			for _, p := range asSlice(get(d.Obj, "spec", "ports")) {
				pm := asMap(p)
				proto := strings.ToUpper(asString(pm["protocol"]))
				port := asInt(pm["number"])
				switch {
				case proto == "HTTP" || proto == "HTTP2" || (proto == "" && port == 80):
					add(asString(h), port, "http")
				case proto == "TLS" || proto == "HTTPS" || (proto == "" && port == 443):
					add(asString(h), port, "tls")
				}
			}
		}
	}
	if len(targets) == 0 {
		// Nothing declared: trace the passthrough of an arbitrary external host.
		for _, d := range docs {
			if d.Kind == "VirtualService" {
				for _, h := range asSlice(get(d.Obj, "spec", "hosts")) {
					add(asString(h), 80, "http")
				}
			}
		}
	}
	if len(targets) == 0 {
		add("example.com", 443, "tls")
	}
	var out []Request
	for _, t := range targets {
		for _, c := range clients {
			out = append(out, Request{From: c, Host: t.host, Port: t.port, Protocol: t.proto})
		}
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}
