// Command latency times requests through the API server: it creates N ServiceEntries one by one, updates each
// once, then updates all of them again from C concurrent clients (a burst), and deletes them. It prints one
// line per phase with the per-request p50, p99, mean and max in milliseconds. Used by apiserver-e2e.sh with
// the webhook registered and without it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

var serviceEntries = schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "serviceentries"}

func serviceEntry(ns string, i int) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.istio.io/v1",
		"kind":       "ServiceEntry",
		"metadata":   map[string]any{"name": fmt.Sprintf("bench-%04d", i), "namespace": ns},
		"spec": map[string]any{
			"hosts":      []any{fmt.Sprintf("svc-%04d.bench.example.com", i)},
			"ports":      []any{map[string]any{"number": int64(443), "name": "tls", "protocol": "TLS"}},
			"resolution": "DNS",
			"location":   "MESH_EXTERNAL",
		},
	}}
}

type phase struct {
	name      string
	durations []time.Duration
	errors    int
	wall      time.Duration
}

func (p *phase) print(label string) {
	d := p.durations
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	ms := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	q := func(f float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		i := int(float64(len(d))*f+0.5) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(d) {
			i = len(d) - 1
		}
		return d[i]
	}
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	mean := time.Duration(0)
	if len(d) > 0 {
		mean = sum / time.Duration(len(d))
	}
	fmt.Printf("%s %s requests=%d errors=%d p50_ms=%.1f p99_ms=%.1f mean_ms=%.1f max_ms=%.1f wall_s=%.1f\n",
		label, p.name, len(d), p.errors, ms(q(0.50)), ms(q(0.99)), ms(mean), ms(q(1)), p.wall.Seconds())
}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig")
	ns := flag.String("namespace", "bench", "namespace of the objects")
	n := flag.Int("n", 1000, "objects")
	burst := flag.Int("burst", 20, "concurrent clients in the burst of updates")
	label := flag.String("label", "run", "first word of every output line")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cfg.QPS, cfg.Burst = 5000, 5000 // no client-side throttling: the server's time is measured
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	res := client.Resource(serviceEntries).Namespace(*ns)
	ctx := context.Background()
	objs := make([]*unstructured.Unstructured, *n)
	failed := false

	create := &phase{name: "create"}
	start := time.Now()
	for i := 0; i < *n; i++ {
		t := time.Now()
		o, err := res.Create(ctx, serviceEntry(*ns, i), metav1.CreateOptions{})
		create.durations = append(create.durations, time.Since(t))
		if err != nil {
			create.errors++
			fmt.Fprintln(os.Stderr, "create:", err)
			continue
		}
		objs[i] = o
	}
	create.wall = time.Since(start)
	create.print(*label)

	update := func(p *phase, i int, mu *sync.Mutex) {
		o := objs[i]
		if o == nil {
			return
		}
		o = o.DeepCopy()
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels["bench-round"] = p.name
		o.SetLabels(labels)
		t := time.Now()
		u, err := res.Update(ctx, o, metav1.UpdateOptions{})
		d := time.Since(t)
		mu.Lock()
		defer mu.Unlock()
		p.durations = append(p.durations, d)
		if err != nil {
			p.errors++
			fmt.Fprintln(os.Stderr, "update:", err)
			return
		}
		objs[i] = u
	}
	var mu sync.Mutex
	seq := &phase{name: "update"}
	start = time.Now()
	for i := 0; i < *n; i++ {
		update(seq, i, &mu)
	}
	seq.wall = time.Since(start)
	seq.print(*label)

	b := &phase{name: fmt.Sprintf("burst-update-x%d", *burst)}
	work := make(chan int)
	var wg sync.WaitGroup
	start = time.Now()
	for w := 0; w < *burst; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				update(b, i, &mu)
			}
		}()
	}
	for i := 0; i < *n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	b.wall = time.Since(start)
	b.print(*label)

	del := &phase{name: "delete"}
	start = time.Now()
	for i := 0; i < *n; i++ {
		t := time.Now()
		err := res.Delete(ctx, fmt.Sprintf("bench-%04d", i), metav1.DeleteOptions{})
		del.durations = append(del.durations, time.Since(t))
		if err != nil {
			del.errors++
		}
	}
	del.wall = time.Since(start)
	del.print(*label)
	for _, p := range []*phase{create, seq, b, del} {
		failed = failed || p.errors > 0
	}
	if failed {
		os.Exit(1)
	}
}
