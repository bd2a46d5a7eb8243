package main

import "istio.io/istio/pkg/config/host"

func hostName(s string) host.Name { return host.Name(s) }
