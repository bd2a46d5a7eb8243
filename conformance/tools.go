//go:build tools

// istioctl is built from the same Istio module version as the simulation (conformance/run.sh runs
// `istioctl analyze` on every bundle); this import keeps its dependencies in go.mod and go.sum.
package tools

import _ "istio.io/istio/istioctl/cmd"
