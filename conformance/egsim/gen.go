package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// The generator writes egress configurations from a seed: the same seed gives the same bundles. Each bundle
// is one shape (a correct configuration, or one pitfall of the rule catalogue) with random choices of
// protocol, host, namespaces, resolution, match form and DestinationRule placement.

type genCtx struct {
	r        *rand.Rand
	docs     []string
	host     string
	proto    string // http or tls
	port     int    // port of the external host
	gwPort   int    // egress gateway Service port
	clients  []string
	noInject string
	seExport string // exportTo of the ServiceEntry, when the shape sets it
	seProto  string // protocol of the ServiceEntry port, when the shape sets it
	srvPort  int    // port of the Gateway server, when it is not the Service port
	seNS     string
	vsNS     string
	gwName   string
}

const egressSvc = "istio-egressgateway.istio-system.svc.cluster.local"

var shapes = []string{
	"direct", "direct", "two-hop", "two-hop", "two-hop", "two-vs", "gateway-api",
	"none-loop", "missing-mesh", "missing-gateway-route", "dr-wrong-namespace", "subset-shadowing",
	"partial-host", "route-loop", "bypass-both", "subset-typo", "dr-export-hidden", "vs-export-gateway-hidden",
	"gateway-port-mismatch", "not-injected", "sidecar-scope", "registry-only", "source-labels", "tls-origination",
	"dr-root-exported", "gateway-host-mismatch", "server-on-targetport", "sourcelabels-no-gateways",
	"se-gateway-only", "se-tcp-port", "wildcard",
}

func (g *genCtx) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *genCtx) chance(p float64) bool    { return g.r.Float64() < p }
func (g *genCtx) add(format string, a ...any) {
	g.docs = append(g.docs, strings.TrimLeft(fmt.Sprintf(format, a...), "\n"))
}

func cmdGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	seed := fs.Int64("seed", 1, "seed")
	n := fs.Int("cases", 20, "bundles")
	out := fs.String("out", "", "output directory")
	_ = fs.Parse(args)
	bs, err := generate(*seed, *n, *out)
	for _, b := range bs {
		fmt.Printf("%s %v\n", b.ID, b.Requests)
	}
	return err
}

func generate(seed int64, n int, dir string) ([]Bundle, error) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6567))
	var out []Bundle
	for i := 0; i < n; i++ {
		shape := shapes[r.IntN(len(shapes))]
		g := &genCtx{r: r}
		reqs := g.build(shape)
		id := fmt.Sprintf("generated/%04d-%s-%s", i+1, shape, g.proto)
		bdir := filepath.Join(dir, fmt.Sprintf("%04d-%s-%s", i+1, shape, g.proto))
		if err := os.MkdirAll(bdir, 0o755); err != nil {
			return nil, err
		}
		body := fmt.Sprintf("# generated: seed %d, bundle %d, shape %s\n", seed, i+1, shape) + strings.Join(g.docs, "---\n")
		if err := os.WriteFile(filepath.Join(bdir, "bundle.yaml"), []byte(body), 0o644); err != nil {
			return nil, err
		}
		out = append(out, Bundle{ID: id, Set: "generated", Paths: []string{bdir}, Requests: reqs, Shape: shape})
	}
	return out, nil
}

func (g *genCtx) build(shape string) []Request {
	g.proto = g.pick("http", "tls")
	if shape == "tls-origination" {
		g.proto = "http"
	}
	g.host = g.pick("api.example.com", "httpbin.example.org", "pay.example.net", "edition.cnn.com", "data.example.io")
	if g.proto == "http" {
		g.port, g.gwPort = 80, 80
	} else {
		g.port, g.gwPort = 443, 443
	}
	g.clients = []string{"default"}
	if g.chance(0.5) {
		g.clients = append(g.clients, g.pick("shop", "team-a"))
	}
	g.seNS = g.pick("default", "default", "istio-system", "egress")
	g.vsNS = g.pick("default", "default", "istio-system")
	if shape == "source-labels" || shape == "vs-export-gateway-hidden" {
		g.vsNS = "default"
	}
	if shape == "gateway-api" || shape == "tls-origination" {
		g.seNS = "default"
	}
	if shape == "se-gateway-only" {
		g.seNS, g.seExport = "istio-system", "."
	}
	if shape == "wildcard" {
		g.proto, g.port, g.gwPort, g.seNS = "tls", 443, 443, "default"
	}
	if shape == "se-tcp-port" {
		g.proto, g.port, g.gwPort, g.seProto = "tls", 443, 443, "TCP"
	}
	g.gwName = "egress-gw"
	g.cluster(shape)

	resolution := g.pick("DNS", "DNS", "DNS_ROUND_ROBIN", "STATIC")
	switch shape {
	case "none-loop":
		resolution = g.pick("NONE", "")
	case "direct":
		resolution = g.pick("DNS", "NONE", "STATIC", "DNS_ROUND_ROBIN")
	}
	if shape != "registry-only" && shape != "tls-origination" && shape != "wildcard" {
		g.serviceEntry(resolution)
	}
	var reqs []Request
	for _, c := range g.clients {
		reqs = append(reqs, Request{From: c, Host: g.host, Port: g.port, Protocol: g.proto})
	}
	switch shape {
	case "direct", "registry-only":
		if shape == "registry-only" || g.chance(0.3) {
			g.add("%s", sidecarOrMesh(g, shape))
		}
	case "two-hop", "none-loop", "subset-typo", "dr-export-hidden", "dr-wrong-namespace", "subset-shadowing",
		"partial-host", "gateway-port-mismatch", "not-injected", "sidecar-scope", "source-labels", "dr-root-exported",
		"gateway-host-mismatch", "server-on-targetport", "sourcelabels-no-gateways", "se-gateway-only", "se-tcp-port":
		g.gateway(shape)
		g.subsetDR(shape)
		g.twoHopVS(shape, true, true)
		if shape == "not-injected" {
			g.add("%s", nsDoc(g.noInject, false))
			reqs = append(reqs, Request{From: g.noInject, Host: g.host, Port: g.port, Protocol: g.proto})
		}
		if shape == "sidecar-scope" {
			g.add(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: %s
spec:
  egress:
  - hosts:
    - "./*"
    - "istio-system/*"
`, g.clients[0])
		}
		if shape == "source-labels" || shape == "sourcelabels-no-gateways" {
			reqs = []Request{
				{From: "default/app=client", Host: g.host, Port: g.port, Protocol: g.proto},
				{From: "default/app=other", Host: g.host, Port: g.port, Protocol: g.proto},
			}
		}
	case "two-vs":
		g.gateway(shape)
		g.subsetDR(shape)
		g.meshVS()
		g.gatewayVS()
	case "missing-mesh":
		g.gateway(shape)
		g.subsetDR(shape)
		g.twoHopVS(shape, false, true)
	case "missing-gateway-route":
		g.gateway(shape)
		g.subsetDR(shape)
		g.twoHopVS(shape, true, false)
	case "route-loop", "bypass-both":
		g.gateway(shape)
		g.subsetDR(shape)
		g.bothVS(shape)
	case "gateway-api":
		g.gatewayAPI()
	case "tls-origination":
		g.tlsOrigination()
	case "wildcard":
		reqs = g.wildcard()
	}
	return reqs
}

func nsDoc(name string, inject bool) string {
	if inject {
		return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    istio-injection: enabled\n", name)
	}
	return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", name)
}

// cluster: namespaces and the demo install's egress gateway (sometimes left implicit, as Istio's default).
func (g *genCtx) cluster(shape string) {
	g.add("%s", nsDoc("istio-system", false))
	for _, c := range g.clients {
		g.add("%s", nsDoc(c, true))
	}
	for _, ns := range []string{g.seNS, g.vsNS, "other", "egress"} {
		if ns != "istio-system" && ns != "default" && !contains(g.clients, ns) {
			g.add("%s", nsDoc(ns, false))
		}
	}
	if shape == "not-injected" {
		g.noInject = "legacy"
	}
	if g.chance(0.8) {
		g.add(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-egressgateway
  namespace: istio-system
spec:
  selector:
    matchLabels:
      app: istio-egressgateway
      istio: egressgateway
  template:
    metadata:
      labels:
        app: istio-egressgateway
        istio: egressgateway
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2
`)
		g.add(`apiVersion: v1
kind: Service
metadata:
  name: istio-egressgateway
  namespace: istio-system
spec:
  selector:
    app: istio-egressgateway
    istio: egressgateway
  ports:
  - name: http2
    port: 80
    targetPort: 8080
  - name: https
    port: 443
    targetPort: 8443
`)
	}
	if shape == "registry-only" {
		g.add(`apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
`)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (g *genCtx) serviceEntry(resolution string) {
	proto := "HTTP"
	name := "http"
	if g.proto == "tls" {
		proto = g.pick("TLS", "HTTPS")
		name = strings.ToLower(proto)
	}
	if g.seProto != "" {
		proto, name = g.seProto, strings.ToLower(g.seProto)
	}
	res := ""
	if resolution != "" {
		res = "  resolution: " + resolution + "\n"
	}
	endpoints := ""
	if resolution == "STATIC" {
		endpoints = "  endpoints:\n  - address: 203.0.113.10\n"
	}
	export := ""
	if g.seExport != "" {
		export = "  exportTo:\n  - \"" + g.seExport + "\"\n"
	} else if g.seNS != "default" && g.chance(0.3) {
		export = "  exportTo:\n  - \"*\"\n"
	}
	extraPort := ""
	if g.chance(0.4) {
		if g.proto == "http" {
			extraPort = "  - number: 443\n    name: tls\n    protocol: TLS\n"
		} else {
			extraPort = "  - number: 80\n    name: http\n    protocol: HTTP\n"
		}
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external
  namespace: %s
spec:
  hosts:
  - %s
  ports:
  - number: %d
    name: %s
    protocol: %s
%s%s%s%s`, g.seNS, g.host, g.port, name, proto, extraPort, res, endpoints, export)
}

func sidecarOrMesh(g *genCtx, shape string) string {
	if shape == "registry-only" {
		return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: other-host
  namespace: default
spec:
  hosts:
  - unrelated.example.com
  ports:
  - number: %d
    name: p
    protocol: %s
  resolution: DNS
`, g.port, map[string]string{"http": "HTTP", "tls": "TLS"}[g.proto])
	}
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: %s
spec:
  outboundTrafficPolicy:
    mode: %s
`, g.clients[0], g.pick("ALLOW_ANY", "REGISTRY_ONLY"))
}

func (g *genCtx) gateway(shape string) {
	port, proto, tls := 80, "HTTP", ""
	if g.proto == "tls" {
		port, proto, tls = 443, "TLS", "    tls:\n      mode: PASSTHROUGH\n"
	}
	if shape == "gateway-port-mismatch" {
		port += 1000 // neither a Service port nor a target port
	}
	if shape == "server-on-targetport" {
		port += 8000 // 8080 / 8443: the Service's target ports; the gateway routes match that port
		g.srvPort = port
	}
	host := g.host
	if shape == "gateway-host-mismatch" {
		host = "other.example.com"
	} else if g.chance(0.2) {
		host = "\"*\""
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: %s
  namespace: %s
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: %d
      name: %s
      protocol: %s
    hosts:
    - %s
%s`, g.gwName, g.vsNS, port, strings.ToLower(proto), proto, host, tls)
}

// subsetDR: the DestinationRule with the egress gateway subset, where the shape puts it.
func (g *genCtx) subsetDR(shape string) {
	ns := g.pick("default", "istio-system")
	if len(g.clients) > 1 && ns == "default" {
		ns = "istio-system" // a DR in default would leave the other client without the subset
	}
	export := ""
	subset := "external"
	switch shape {
	case "dr-wrong-namespace":
		ns = "other"
	case "dr-export-hidden":
		ns, export = "istio-system", "  exportTo:\n  - \".\"\n"
	case "dr-root-exported":
		ns, export = "istio-system", "  exportTo:\n  - \"*\"\n"
	case "subset-shadowing":
		ns = "istio-system"
		host := g.pick(egressSvc, "\"*.istio-system.svc.cluster.local\"")
		g.add(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: shadow
  namespace: %s
spec:
  host: %s
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
`, g.clients[0], host)
	case "subset-typo":
		subset = "extrenal"
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-subsets
  namespace: %s
spec:
  host: %s
  subsets:
  - name: %s
%s`, ns, egressSvc, subset, export)
}

func (g *genCtx) gwRef() string {
	if g.vsNS == "default" {
		return g.gwName
	}
	return g.vsNS + "/" + g.gwName
}

func (g *genCtx) gwRefFrom(ns string) string {
	if ns == g.vsNS {
		return g.gwName
	}
	return g.vsNS + "/" + g.gwName
}

func (g *genCtx) destHost(shape string) string {
	if shape == "partial-host" {
		return "istio-egressgateway.istio-system"
	}
	return egressSvc
}

// twoHopVS: the task's VirtualService, one object bound to mesh and the gateway with per-match gateways.
func (g *genCtx) twoHopVS(shape string, mesh, gw bool) {
	section := "http"
	sni := ""
	if g.proto == "tls" {
		section = "tls"
		sni = fmt.Sprintf("      sniHosts:\n      - %s\n", g.host)
	}
	gws := "  - " + g.gwRef() + "\n"
	if mesh {
		gws += "  - mesh\n"
	}
	export := ""
	if shape == "vs-export-gateway-hidden" {
		export = "  exportTo:\n  - \".\"\n"
	}
	src := ""
	if shape == "source-labels" {
		src = "      sourceLabels:\n        app: client\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: external-through-egress
  namespace: %s
spec:
  hosts:
  - %s
  gateways:
%s%s  %s:
`, g.vsNS, g.host, gws, export, section)
	meshMatch := "    - gateways:\n      - mesh\n"
	if shape == "sourcelabels-no-gateways" {
		meshMatch = "    - sourceLabels:\n        app: client\n"
	}
	if mesh {
		fmt.Fprintf(&b, `  - match:
%s      port: %d
%s%s    route:
    - destination:
        host: %s
        subset: external
        port:
          number: %d
`, meshMatch, g.port, sni, src, g.destHost(shape), g.gwPort)
	}
	if gw {
		matchPort := g.gwPort
		if g.srvPort != 0 {
			matchPort = g.srvPort
		}
		fmt.Fprintf(&b, `  - match:
    - gateways:
      - %s
      port: %d
%s    route:
    - destination:
        host: %s
        port:
          number: %d
`, g.gwRef(), matchPort, sni, g.host, g.port)
	}
	g.add("%s", b.String())
}

func (g *genCtx) meshVS() {
	section, sni := "http", ""
	if g.proto == "tls" {
		section, sni = "tls", fmt.Sprintf("      sniHosts:\n      - %s\n", g.host)
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: external-mesh
  namespace: default
spec:
  hosts:
  - %s
  %s:
  - match:
    - port: %d
%s    route:
    - destination:
        host: %s
        subset: external
        port:
          number: %d
`, g.host, section, g.port, sni, egressSvc, g.gwPort)
}

func (g *genCtx) gatewayVS() {
	section, sni := "http", ""
	if g.proto == "tls" {
		section, sni = "tls", fmt.Sprintf("      sniHosts:\n      - %s\n", g.host)
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: external-gateway
  namespace: %s
spec:
  hosts:
  - %s
  gateways:
  - %s
  %s:
  - match:
    - port: %d
%s    route:
    - destination:
        host: %s
        port:
          number: %d
`, g.vsNS, g.host, g.gwName, section, g.gwPort, sni, g.host, g.port)
}

// bothVS: a VS bound to mesh and the gateway whose route has no gateway match (applies at both hops).
func (g *genCtx) bothVS(shape string) {
	section, match := "http", ""
	if g.proto == "tls" {
		section, match = "tls", fmt.Sprintf("  - match:\n    - port: %d\n      sniHosts:\n      - %s\n    route:\n", g.port, g.host)
	} else {
		match = fmt.Sprintf("  - match:\n    - port: %d\n    route:\n", g.port)
	}
	dest := fmt.Sprintf("    - destination:\n        host: %s\n        subset: external\n        port:\n          number: %d\n", egressSvc, g.gwPort)
	if shape == "bypass-both" {
		dest = fmt.Sprintf("    - destination:\n        host: %s\n        port:\n          number: %d\n", g.host, g.port)
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: external-both
  namespace: %s
spec:
  hosts:
  - %s
  gateways:
  - %s
  - mesh
  %s:
%s%s`, g.vsNS, g.host, g.gwRef(), section, match, dest)
}

func (g *genCtx) gatewayAPI() {
	gw := "external-egress"
	protocol, kind, tls, apiv := "HTTP", "HTTPRoute", "", "gateway.networking.k8s.io/v1"
	if g.proto == "tls" {
		protocol, kind, tls, apiv = "TLS", "TLSRoute", "    tls:\n      mode: Passthrough\n", "gateway.networking.k8s.io/v1alpha2"
	}
	g.add(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: %s
  namespace: default
  annotations:
    networking.istio.io/service-type: ClusterIP
spec:
  gatewayClassName: istio
  listeners:
  - name: l
    hostname: %s
    port: %d
    protocol: %s
%s    allowedRoutes:
      namespaces:
        from: Same
`, gw, g.host, g.port, protocol, tls)
	seName := "external"
	hostnames := ""
	if g.proto == "http" {
		hostnames = ""
	}
	g.add(`apiVersion: %s
kind: %s
metadata:
  name: mesh-to-gateway
  namespace: default
spec:
  parentRefs:
  - kind: ServiceEntry
    group: networking.istio.io
    name: %s
%s  rules:
  - backendRefs:
    - name: %s-istio
      port: %d
`, apiv, kind, seName, hostnames, gw, g.port)
	g.add(`apiVersion: %s
kind: %s
metadata:
  name: gateway-to-external
  namespace: default
spec:
  parentRefs:
  - name: %s
  hostnames:
  - %s
  rules:
  - backendRefs:
    - kind: Hostname
      group: networking.istio.io
      name: %s
      port: %d
`, apiv, kind, gw, g.host, g.host, g.port)
}

// tlsOrigination: the sidecar upgrades plain HTTP to TLS toward the external host.
func (g *genCtx) tlsOrigination() {
	g.add(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external
  namespace: default
spec:
  hosts:
  - %s
  ports:
  - number: 80
    name: http-port
    protocol: HTTP
    targetPort: 443
  resolution: DNS
`, g.host)
	g.add(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: originate-tls
  namespace: default
spec:
  host: %s
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 80
      tls:
        mode: SIMPLE
`, g.host)
}

// wildcard: Istio's wildcard task through the egress gateway: a ServiceEntry for *.domain (NONE or
// DYNAMIC_DNS), sometimes one for the exact host the gateway forwards to (without it: fidelity cases D17/D18).
func (g *genCtx) wildcard() []Request {
	domain := g.pick("wikipedia.org", "example.com", "example.net")
	exact := "www." + domain
	g.add(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: wildcard
  namespace: default
spec:
  hosts:
  - "*.%s"
  ports:
  - number: 443
    name: tls
    protocol: TLS
  resolution: %s
`, domain, g.pick("NONE", "DYNAMIC_DNS"))
	if g.chance(0.5) {
		g.add(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: exact
  namespace: default
spec:
  hosts:
  - %s
  ports:
  - number: 443
    name: tls
    protocol: TLS
  resolution: DNS
`, exact)
	}
	g.add(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: egress-gw
  namespace: default
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 443
      name: tls
      protocol: TLS
    tls:
      mode: PASSTHROUGH
    hosts:
    - "*.%s"
`, domain)
	g.add(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-subsets
  namespace: istio-system
spec:
  host: %s
  subsets:
  - name: external
`, egressSvc)
	g.add(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: wildcard-through-egress
  namespace: default
spec:
  hosts:
  - "*.%s"
  gateways:
  - egress-gw
  - mesh
  tls:
  - match:
    - gateways:
      - mesh
      port: 443
      sniHosts:
      - "*.%s"
    route:
    - destination:
        host: %s
        subset: external
        port:
          number: 443
  - match:
    - gateways:
      - egress-gw
      port: 443
      sniHosts:
      - "*.%s"
    route:
    - destination:
        host: %s
        port:
          number: 443
`, domain, domain, egressSvc, domain, exact)
	var reqs []Request
	for _, c := range g.clients {
		reqs = append(reqs, Request{From: c, Host: exact, Port: 443, Protocol: "tls"})
	}
	return reqs
}
