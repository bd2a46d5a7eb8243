package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/schema/gvr"
	"istio.io/istio/pkg/kube/kclient/clienttest"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kubelib "istio.io/istio/pkg/kube"
)

// failer stands in for testing.T around pilot's test control plane: a failure panics (caught by the caller)
// and cleanups run when the bundle is done.
type failer struct {
	cleanups []func()
}

type fatal struct{ msg string }

func (f *failer) Fail()                           { panic(fatal{"fail"}) }
func (f *failer) FailNow()                        { panic(fatal{"fail now"}) }
func (f *failer) Fatal(args ...any)               { panic(fatal{fmt.Sprint(args...)}) }
func (f *failer) Fatalf(format string, a ...any)  { panic(fatal{fmt.Sprintf(format, a...)}) }
func (f *failer) Log(args ...any)                 {}
func (f *failer) Logf(format string, args ...any) {}
func (f *failer) Helper()                         {}
func (f *failer) Skip(args ...any)                { panic(fatal{fmt.Sprint(args...)}) }
func (f *failer) Cleanup(fn func())               { f.cleanups = append(f.cleanups, fn) }
func (f *failer) TempDir() string {
	d, _ := os.MkdirTemp("", "egsim")
	f.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func (f *failer) close() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		func() {
			defer func() { _ = recover() }()
			f.cleanups[i]()
		}()
	}
	f.cleanups = nil
}

// Workload is a gateway deployment: the labels of its pods, its namespace, its Service.
type Workload struct {
	Namespace   string
	Labels      map[string]string
	ServiceHost string
	Ports       map[int]int // Service port -> target port
	IP          string
}

// Mesh is one bundle loaded into pilot's test control plane.
type Mesh struct {
	f        *failer
	s        *xds.FakeDiscoveryServer
	docs     []Doc
	notes    []string
	gateways map[string]*Workload // by Service host
	mesh     *meshconfig.MeshConfig
}

var istioGroups = map[string]bool{
	"networking.istio.io": true, "security.istio.io": true, "telemetry.istio.io": true,
	"extensions.istio.io": true, "gateway.networking.k8s.io": true, "gateway.networking.x-k8s.io": true,
}

func labelsMatch(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// newMesh builds the control plane for a bundle. Objects Istio's validation rejects are left out and noted (a
// cluster would refuse them at apply time).
func newMesh(docs []Doc) (m *Mesh, err error) {
	m = &Mesh{f: &failer{}, gateways: map[string]*Workload{}}
	docs = m.complete(docs)
	m.docs = docs
	m.mesh = mesh.DefaultMeshConfig()
	var configs []config.Config
	var kube []runtime.Object
	decode := kubelib.IstioCodec.UniversalDeserializer().Decode
	for _, d := range docs {
		if d.Kind == "ConfigMap" && d.Name == "istio" && d.Namespace == "istio-system" {
			if mc := asString(get(d.Obj, "data", "mesh")); mc != "" {
				if parsed, err := mesh.ApplyMeshConfigDefaults(mc); err == nil {
					m.mesh = parsed
				} else {
					m.notes = append(m.notes, "mesh config not applied: "+err.Error())
				}
			}
		}
		if istioGroups[d.Group()] {
			cfgs, _, err := crd.ParseInputs(d.YAML)
			if err != nil {
				m.notes = append(m.notes, fmt.Sprintf("Istio rejects %s: %v", d.Ref(), firstLine(err.Error())))
				continue
			}
			for i := range cfgs {
				cfgs[i].Domain = "cluster.local" // as the Kubernetes config store sets it: short names expand with it
			}
			configs = append(configs, cfgs...)
		}
		o, _, err := decode([]byte(d.YAML), nil, nil)
		if os.Getenv("EGSIM_DUMP") != "" {
			fmt.Fprintf(os.Stderr, "kube object %s %s: %T %v\n", d.APIVersion, d.Ref(), o, err)
		}
		if err != nil {
			continue // kinds pilot does not know (or cannot decode) play no part in routing
		}
		kube = append(kube, o)
	}
	defer func() {
		if r := recover(); r != nil {
			m.f.close()
			err = fmt.Errorf("control plane: %v", r)
		}
	}()
	m.s = xds.NewFakeDiscoveryServer(m.f, xds.FakeOptions{
		Configs:           configs,
		KubernetesObjects: kube,
		MeshConfig:        m.mesh,
	})
	m.announceGatewayAPIVersion()
	return m, nil
}

func (m *Mesh) Close() { m.f.close() }

// announceGatewayAPIVersion: pilot processes TLSRoute, TCPRoute and GRPCRoute only when their CRD carries a
// Gateway API bundle version at least the minimum it supports (pkg/config/schema/gatewayapi). The test
// control plane creates the CRDs without it; a cluster with current Gateway API CRDs has it. The CRDs are
// annotated, then a full push waits for the routes.
func (m *Mesh) announceGatewayAPIVersion() {
	has := false
	for _, d := range m.docs {
		if d.Kind == "TLSRoute" || d.Kind == "TCPRoute" || d.Kind == "GRPCRoute" {
			has = true
		}
	}
	if !has {
		return
	}
	ann := map[string]string{"gateway.networking.k8s.io/bundle-version": "v1.6.0"}
	for _, g := range []schema.GroupVersionResource{gvr.TLSRoute, gvr.TCPRoute, gvr.GRPCRoute} {
		clienttest.MakeCRDWithAnnotations(m.f, m.s.KubeClient(), g, ann)
	}
	// The controller converts the routes one by one: wait until every route of the bundle is the source of a
	// generated VirtualService (annotation internal.istio.io/parents names it), or, for bundles with routes
	// that attach nowhere, until their number has held still for a second. Stopping at the first one left later
	// routes out now and then, more often on a loaded machine.
	want := map[string]bool{}
	for _, d := range m.docs {
		if d.Kind == "HTTPRoute" || d.Kind == "TLSRoute" || d.Kind == "TCPRoute" || d.Kind == "GRPCRoute" {
			want[d.Kind+"/"+d.Name+"."+d.Namespace] = true
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	last, stableSince := -1, time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(25 * time.Millisecond)
		vss := m.s.Discovery.Env.GatewayAPIController.List(gvk.VirtualService, "")
		seen := map[string]bool{}
		for _, vs := range vss {
			for _, p := range strings.Split(vs.Annotations["internal.istio.io/parents"], ",") {
				seen[p] = true
			}
		}
		all := true
		for r := range want {
			if !seen[r] {
				all = false
			}
		}
		if all && len(vss) > 0 {
			break
		}
		if len(vss) != last {
			last, stableSince = len(vss), time.Now()
		} else if len(vss) > 0 && time.Since(stableSince) >= time.Second {
			break
		}
	}
	c := m.s.Discovery.InboundUpdates.Load()
	m.s.Discovery.ConfigUpdate(&model.PushRequest{Forced: true, Reason: model.NewReasonStats(model.UnknownTrigger)})
	for time.Now().Before(deadline) && m.s.Discovery.CommittedUpdates.Load() <= c {
		time.Sleep(10 * time.Millisecond)
	}
}

// tags name the features of a bundle that known limits may refer to.
func (m *Mesh) tags() []string {
	set := map[string]bool{}
	for _, d := range m.docs {
		switch {
		case d.Kind == "TLSRoute":
			set["tlsroute"] = true
		case d.Group() == "gateway.networking.k8s.io" && d.Kind != "GatewayClass":
			set["gateway-api"] = true
		case d.Kind == "Sidecar":
			set["sidecar"] = true
		case d.Kind == "ServiceEntry" && (asString(get(d.Obj, "spec", "resolution")) == "NONE" || asString(get(d.Obj, "spec", "resolution")) == ""):
			set["resolution-none"] = true
		}
	}
	if m.mesh.GetOutboundTrafficPolicy().GetMode() == meshconfig.MeshConfig_OutboundTrafficPolicy_REGISTRY_ONLY {
		set["registry-only"] = true
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// complete adds what an installed Istio provides and the bundle may leave implicit: the default egress gateway
// (Service and pod) when no istio-egressgateway Service is given, the istio GatewayClass, and the Service and pod
// that Istio's gateway deployment controller creates for each Gateway API Gateway. Gateway pods get IPs so that
// the gateway proxy finds its Service ports (listeners on target ports, as in a cluster).
func (m *Mesh) complete(docs []Doc) []Doc {
	ip := 0
	nextIP := func() string { ip++; return fmt.Sprintf("10.244.0.%d", ip) }
	has := func(kind, ns, name string) bool {
		for _, d := range docs {
			if d.Kind == kind && d.Name == name && (ns == "" || d.Namespace == ns) {
				return true
			}
		}
		return false
	}
	var extra []Doc
	addObj := func(o map[string]any) {
		out, _ := yaml.Marshal(o)
		md := asMap(o["metadata"])
		extra = append(extra, Doc{File: "(implicit)", APIVersion: asString(o["apiVersion"]), Kind: asString(o["kind"]),
			Name: asString(md["name"]), Namespace: asString(md["namespace"]), Obj: o, YAML: string(out)})
	}
	if !has("Service", "istio-system", "istio-egressgateway") {
		m.notes = append(m.notes, "no istio-egressgateway Service in the bundle: Istio's default install assumed")
		addObj(map[string]any{"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"name": "istio-egressgateway", "namespace": "istio-system",
				"labels": map[string]any{"app": "istio-egressgateway", "istio": "egressgateway"}},
			"spec": map[string]any{"selector": map[string]any{"app": "istio-egressgateway", "istio": "egressgateway"},
				"ports": []any{
					map[string]any{"name": "http2", "port": 80, "targetPort": 8080},
					map[string]any{"name": "https", "port": 443, "targetPort": 8443},
				}}})
	}
	if !has("GatewayClass", "", "istio") {
		addObj(map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
			"metadata": map[string]any{"name": "istio"},
			"spec":     map[string]any{"controllerName": "istio.io/gateway-controller"}})
	}
	for _, d := range docs {
		if d.Kind != "Gateway" || d.Group() != "gateway.networking.k8s.io" {
			continue
		}
		if cls := asString(get(d.Obj, "spec", "gatewayClassName")); cls != "istio" {
			continue
		}
		svc := d.Name + "-istio"
		if has("Service", d.Namespace, svc) {
			continue
		}
		var ports []any
		seen := map[int]bool{}
		for _, l := range asSlice(get(d.Obj, "spec", "listeners")) {
			p := asInt(asMap(l)["port"])
			if p == 0 || seen[p] {
				continue
			}
			seen[p] = true
			proto := strings.ToLower(asString(asMap(l)["protocol"]))
			ports = append(ports, map[string]any{"name": fmt.Sprintf("%s-%d", proto, p), "port": p,
				"appProtocol": map[string]string{"http": "http", "tls": "tls", "https": "https", "tcp": "tcp"}[proto]})
		}
		ports = append(ports, map[string]any{"name": "status-port", "port": 15021, "appProtocol": "tcp"})
		addObj(map[string]any{"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"name": svc, "namespace": d.Namespace,
				"labels": map[string]any{"gateway.networking.k8s.io/gateway-name": d.Name}},
			"spec": map[string]any{"selector": map[string]any{"gateway.networking.k8s.io/gateway-name": d.Name},
				"ports": ports}})
	}
	all := append(append([]Doc{}, docs...), extra...)
	// The API server serves Gateway API objects in the version Istio watches (v1; ReferenceGrant v1beta1),
	// whatever version they were applied in; the fake client does not convert.
	for i, d := range all {
		if d.Group() != "gateway.networking.k8s.io" {
			continue
		}
		want := "gateway.networking.k8s.io/v1"
		if d.Kind == "ReferenceGrant" {
			want = "gateway.networking.k8s.io/v1beta1"
		}
		if d.APIVersion != want {
			d.Obj["apiVersion"] = want
			out, _ := yaml.Marshal(d.Obj)
			all[i].APIVersion, all[i].YAML = want, string(out)
		}
	}
	// The API server defaults a Service port's targetPort to its port and allocates a cluster IP; the fake
	// client does neither (a Service without an IP would catch every TCP connection on its port).
	svcIP := 0
	for i, d := range all {
		if d.Kind != "Service" || d.Group() != "" {
			continue
		}
		changed := false
		spec := asMap(d.Obj["spec"])
		if spec != nil && spec["clusterIP"] == nil && asString(spec["type"]) != "ExternalName" {
			svcIP++
			spec["clusterIP"] = fmt.Sprintf("10.96.%d.%d", svcIP/250, svcIP%250+1)
			changed = true
		}
		for _, p := range asSlice(get(d.Obj, "spec", "ports")) {
			pm := asMap(p)
			if pm != nil && pm["targetPort"] == nil {
				pm["targetPort"] = pm["port"]
				changed = true
			}
		}
		if changed {
			out, _ := yaml.Marshal(d.Obj)
			all[i].YAML = string(out)
		}
	}
	// Gateway workloads: every Service selecting egress gateway pods (Istio's default labels, a Gateway API
	// gateway, or pods an Istio Gateway selects).
	nExtra := len(extra)
	var selectors []map[string]string
	for _, d := range all {
		if d.Kind == "Gateway" && d.Group() == "networking.istio.io" {
			selectors = append(selectors, stringMap(get(d.Obj, "spec", "selector")))
		}
	}
	for _, d := range all {
		if d.Kind != "Service" {
			continue
		}
		sel := stringMap(get(d.Obj, "spec", "selector"))
		if len(sel) == 0 {
			continue
		}
		labels := map[string]string{}
		for k, v := range sel {
			labels[k] = v
		}
		for _, dep := range all {
			if dep.Kind == "Deployment" && dep.Namespace == d.Namespace {
				tl := stringMap(get(dep.Obj, "spec", "template", "metadata", "labels"))
				if labelsMatch(sel, tl) {
					for k, v := range tl {
						labels[k] = v
					}
				}
			}
		}
		isGateway := sel["istio"] == "egressgateway" || sel["gateway.networking.k8s.io/gateway-name"] != ""
		for _, gs := range selectors {
			if labelsMatch(gs, labels) {
				isGateway = true
			}
		}
		if !isGateway {
			continue
		}
		w := &Workload{Namespace: d.Namespace, Labels: labels, Ports: map[int]int{},
			ServiceHost: d.Name + "." + d.Namespace + ".svc.cluster.local", IP: nextIP()}
		for _, p := range asSlice(get(d.Obj, "spec", "ports")) {
			pm := asMap(p)
			port := asInt(pm["port"])
			target := asInt(pm["targetPort"])
			if target == 0 {
				target = port
			}
			w.Ports[port] = target
		}
		m.gateways[w.ServiceHost] = w
		if sel["gateway.networking.k8s.io/gateway-name"] != "" {
			labels["gateway.networking.k8s.io/gateway-name"] = sel["gateway.networking.k8s.io/gateway-name"]
		}
		lab := map[string]any{}
		for k, v := range labels {
			lab[k] = v
		}
		addObj(map[string]any{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": d.Name + "-gateway-pod", "namespace": d.Namespace, "labels": lab},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "istio-proxy", "image": "proxyv2"}}},
			"status": map[string]any{"phase": "Running", "podIP": w.IP, "podIPs": []any{map[string]any{"ip": w.IP}},
				"conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}})
	}
	return append(all, extra[nExtra:]...)
}

// HopResult is what one proxy does with the request.
type HopResult struct {
	Proxy       string `json:"proxy"`
	Listener    string `json:"listener,omitempty"`
	FilterChain string `json:"filterChain,omitempty"`
	RouteConfig string `json:"routeConfig,omitempty"`
	VirtualHost string `json:"virtualHost,omitempty"`
	Route       string `json:"route,omitempty"`
	Cluster     string `json:"cluster,omitempty"`
	ClusterType string `json:"clusterType,omitempty"`
	Error       string `json:"error,omitempty"`
}

// SimResult is Istio's answer for one request, classified in egress-guard's outcome vocabulary.
type SimResult struct {
	Class   string      `json:"class"`
	Detail  string      `json:"detail"`
	Hops    []HopResult `json:"hops"`
	Notes   []string    `json:"notes,omitempty"`
	Failure string      `json:"failure,omitempty"`
	Tags    []string    `json:"tags,omitempty"`
}

func (m *Mesh) run(p *model.Proxy, call simulation.Call) (sim *simulation.Simulation, res simulation.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("simulation: %v", r)
		}
	}()
	proxy := m.s.SetupProxy(p)
	sim = simulation.NewSimulationFromConfigGen(nil, m.s.ConfigGenTest, proxy)
	if os.Getenv("EGSIM_DUMP") != "" {
		var targets, listeners []string
		for _, t := range proxy.ServiceTargets {
			targets = append(targets, fmt.Sprintf("%s:%d", t.Service.Hostname, t.Port.TargetPort))
		}
		for _, l := range sim.Listeners {
			listeners = append(listeners, l.Name)
		}
		fmt.Fprintf(os.Stderr, "proxy %s (%s) targets %v gateways %v listeners %v\n", p.ID, p.Type, targets,
			proxy.MergedGateway != nil, listeners)
		for _, l := range sim.Listeners {
			if int(l.GetAddress().GetSocketAddress().GetPortValue()) == call.Port {
				for _, fc := range l.FilterChains {
					fmt.Fprintf(os.Stderr, "  %s chain %s match %v\n", l.Name, fc.Name, fc.FilterChainMatch)
				}
			}
		}
		for _, c := range m.s.Discovery.Env.GatewayAPIController.List(gvk.VirtualService, "") {
			fmt.Fprintf(os.Stderr, "  gateway API VS %s/%s %v\n", c.Namespace, c.Name, c.Spec)
		}
		vs := m.s.PushContext().VirtualServicesForGateway(proxy.ConfigNamespace, "mesh")
		for _, v := range vs {
			fmt.Fprintf(os.Stderr, "  mesh VS %s/%s\n", v.Namespace, v.Name)
		}
	}
	res = sim.Run(call)
	return sim, res, nil
}

func findCluster(sim *simulation.Simulation, name string) *cluster.Cluster {
	for _, c := range sim.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func hopOf(name string, r simulation.Result) HopResult {
	h := HopResult{Proxy: name, Listener: r.ListenerMatched, FilterChain: r.FilterChainMatched, RouteConfig: r.RouteConfigMatched,
		VirtualHost: r.VirtualHostMatched, Route: r.RouteMatched, Cluster: r.ClusterMatched}
	if r.Error != nil {
		h.Error = r.Error.Error()
	}
	return h
}

// parseCluster splits outbound|PORT|SUBSET|HOST.
func parseCluster(name string) (port int, subset, host string, ok bool) {
	parts := strings.Split(name, "|")
	if len(parts) != 4 || parts[0] != "outbound" {
		return 0, "", "", false
	}
	port, _ = strconv.Atoi(parts[1])
	return port, parts[2], parts[3], true
}

func errorClass(err error) string {
	switch {
	case errors.Is(err, simulation.ErrNoRoute), errors.Is(err, simulation.ErrNoVirtualHost):
		return "no-route"
	case errors.Is(err, simulation.ErrNoListener), errors.Is(err, simulation.ErrNoFilterChain):
		return "no-route"
	case errors.Is(err, simulation.ErrProtocolError), errors.Is(err, simulation.ErrTLSError),
		errors.Is(err, simulation.ErrMTLSError), errors.Is(err, simulation.ErrTLSRedirect):
		return "tls-mismatch"
	case errors.Is(err, simulation.ErrMultipleFilterChain):
		return "ambiguous"
	}
	return "error"
}

func (m *Mesh) address(host string, p *model.Proxy) string {
	pc := m.s.PushContext()
	for _, svc := range pc.ServiceIndex.HostnameAndNamespace[hostName(host)] {
		if a := svc.GetAddressForProxy(p); a != "" && a != "0.0.0.0" && net.ParseIP(a) != nil && !strings.Contains(a, ":") {
			return a
		}
	}
	return "93.184.215.14"
}

// Trace follows the request: the client sidecar, then the egress gateway when the sidecar sends it there.
func (m *Mesh) Trace(r Request) SimResult {
	res := SimResult{Notes: m.notes, Tags: m.tags()}
	ns := r.Namespace()
	labels := r.Labels()
	if len(labels) == 0 {
		labels = map[string]string{"app": "client"}
	}
	p := &model.Proxy{Type: model.SidecarProxy, ConfigNamespace: ns, Labels: labels, ID: "client." + ns,
		Metadata: &model.NodeMetadata{Namespace: ns, Labels: labels}, IPAddresses: []string{"10.245.0.9"}}
	call := simulation.Call{Port: r.Port, Protocol: simulation.HTTP, HostHeader: r.Host, CallMode: simulation.CallModeOutbound}
	if r.Protocol == "tls" {
		call.TLS = simulation.TLS
		call.Sni = r.Host
	}
	if !m.sidecarInjected(ns) {
		res.Class, res.Detail = "direct", "namespace "+ns+" has no sidecar injection: the pod connects itself"
		return res
	}
	call.Address = m.address(r.Host, p)
	sim, out, err := m.run(p, call)
	if err != nil {
		res.Class, res.Failure = "error", err.Error()
		return res
	}
	h := hopOf("sidecar "+ns, out)
	if out.Error != nil {
		res.Hops = append(res.Hops, h)
		res.Class, res.Detail = errorClass(out.Error), "sidecar: "+out.Error.Error()
		return res
	}
	c := out.ClusterMatched
	switch c {
	case "":
		res.Hops = append(res.Hops, h)
		res.Class, res.Detail = "blackhole", "sidecar: route without a cluster (direct response, outboundTrafficPolicy REGISTRY_ONLY)"
		return res
	case "BlackHoleCluster", "block_all":
		res.Hops = append(res.Hops, h)
		res.Class, res.Detail = "blackhole", "sidecar: BlackHoleCluster (outboundTrafficPolicy REGISTRY_ONLY)"
		return res
	case "PassthroughCluster", "InboundPassthroughCluster":
		res.Hops = append(res.Hops, h)
		res.Class, res.Detail = "direct", "sidecar: PassthroughCluster (outboundTrafficPolicy ALLOW_ANY)"
		return res
	}
	cl := findCluster(sim, c)
	if cl == nil {
		h.Error = "cluster not found"
		res.Hops = append(res.Hops, h)
		res.Class, res.Detail = "no-cluster", "sidecar: route to "+c+", which the sidecar has no cluster for (503)"
		return res
	}
	h.ClusterType = clusterType(cl)
	res.Hops = append(res.Hops, h)
	port, _, host, _ := parseCluster(c)
	gw := m.gateways[host]
	if gw == nil {
		if m.isKubeService(host) {
			res.Class, res.Detail = "in-mesh", "sidecar: to Service "+host
			return res
		}
		res.Class, res.Detail = "direct", "sidecar: to "+c
		return res
	}
	// Hop 2: the egress gateway proxy.
	gp := &model.Proxy{Type: model.Router, ConfigNamespace: gw.Namespace, Labels: gw.Labels, ID: "gateway." + gw.Namespace,
		Metadata: &model.NodeMetadata{Namespace: gw.Namespace, Labels: gw.Labels}, IPAddresses: []string{gw.IP}}
	gcall := simulation.Call{Protocol: simulation.HTTP, HostHeader: r.Host, CallMode: simulation.CallModeGateway, Address: gw.IP}
	if r.Protocol == "tls" {
		gcall.TLS = simulation.TLS
		gcall.Sni = r.Host
	}
	if mode, sni := upstreamTLS(cl); mode != "" {
		gcall.TLS = simulation.TLSMode(mode)
		if sni != "" {
			gcall.Sni = sni
		}
	}
	target := gw.Ports[port]
	if target == 0 {
		target = port
	}
	gcall.Port = target
	gsim, gout, err := m.run(gp, gcall)
	if err == nil && errors.Is(gout.Error, simulation.ErrNoListener) && target != port {
		gcall.Port = port
		gsim, gout, err = m.run(gp, gcall)
	}
	if err != nil {
		res.Class, res.Failure = "error", err.Error()
		return res
	}
	gh := hopOf("gateway "+gw.ServiceHost, gout)
	if gout.Error != nil {
		res.Hops = append(res.Hops, gh)
		res.Class, res.Detail = errorClass(gout.Error), "egress gateway: "+gout.Error.Error()
		return res
	}
	gc := gout.ClusterMatched
	if gc == "" || gc == "BlackHoleCluster" {
		res.Hops = append(res.Hops, gh)
		res.Class, res.Detail = "no-route", "egress gateway: no forwarding route (404 / BlackHoleCluster)"
		return res
	}
	gcl := findCluster(gsim, gc)
	if gcl == nil {
		gh.Error = "cluster not found"
		res.Hops = append(res.Hops, gh)
		res.Class, res.Detail = "no-cluster", "egress gateway: route to "+gc+", which the gateway has no cluster for (503)"
		return res
	}
	gh.ClusterType = clusterType(gcl)
	res.Hops = append(res.Hops, gh)
	_, _, ghost, _ := parseCluster(gc)
	if m.gateways[ghost] != nil {
		res.Class, res.Detail = "loop", "egress gateway: forwards to "+gc+", a gateway Service (itself)"
		return res
	}
	if gcl.GetType() == cluster.Cluster_ORIGINAL_DST {
		res.Class, res.Detail = "loop", "egress gateway: "+gc+" is ORIGINAL_DST (resolution NONE): forwards to the original destination, the gateway's own Service IP"
		return res
	}
	if gcl.GetType() == cluster.Cluster_EDS && !m.isKubeService(ghost) && m.edsEmpty(gp, gc) {
		res.Class, res.Detail = "no-endpoints", "egress gateway: "+gc+" is an EDS cluster without endpoints (a gateway gets no passthrough cluster for resolution NONE): 503 no healthy upstream"
		return res
	}
	res.Class, res.Detail = "gateway:"+gw.ServiceHost, "egress gateway forwards to "+gc
	return res
}

// edsEmpty: the EDS cluster has no endpoint for the proxy.
func (m *Mesh) edsEmpty(p *model.Proxy, name string) (empty bool) {
	defer func() {
		if r := recover(); r != nil {
			empty = false
		}
	}()
	for _, la := range m.s.Endpoints(m.s.SetupProxy(p)) {
		if la.GetClusterName() != name {
			continue
		}
		n := 0
		for _, e := range la.GetEndpoints() {
			n += len(e.GetLbEndpoints())
		}
		return n == 0
	}
	return true
}

func clusterType(c *cluster.Cluster) string {
	if c.GetType() == cluster.Cluster_EDS && c.GetEdsClusterConfig() != nil {
		return "EDS"
	}
	return c.GetType().String()
}

// upstreamTLS: the TLS the sidecar originates toward the gateway (ISTIO_MUTUAL gives mtls).
func upstreamTLS(c *cluster.Cluster) (mode, sni string) {
	ts := c.GetTransportSocket()
	if ts == nil {
		for _, m := range c.GetTransportSocketMatches() {
			if m.GetName() == "tlsMode-istio" {
				continue // auto mTLS only for endpoints with sidecars; gateway pods have none
			}
		}
		return "", ""
	}
	ctx := &tlsv3.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return "", ""
	}
	for _, sds := range ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs() {
		if sds.GetName() == "default" {
			return string(simulation.MTLS), ctx.GetSni()
		}
	}
	return string(simulation.TLS), ctx.GetSni()
}

func (m *Mesh) sidecarInjected(ns string) bool {
	known := false
	for _, d := range m.docs {
		if d.Kind == "Namespace" {
			known = true
			if d.Name == ns {
				return injected(d)
			}
		}
	}
	// Namespaces not in the bundle: assumed injected (as egress-guard does).
	_ = known
	return true
}

func (m *Mesh) isKubeService(host string) bool {
	for _, d := range m.docs {
		if d.Kind == "Service" && d.Name+"."+d.Namespace+".svc.cluster.local" == host {
			return true
		}
	}
	return strings.HasSuffix(host, ".svc.cluster.local")
}

func sortedKeys(m map[string]*Workload) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
