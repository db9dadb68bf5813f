// Package k8s writes the Kubernetes objects that run one brink run as N
// generator shards (brink k8s job): a ConfigMap with the run's inputs, an
// Indexed Job whose pod i runs `brink run --shard i/N`, and a Job that
// waits for every shard's manifest and then collects, analyses and reports
// the run. The runs directory is in S3, so the pods share nothing else.
//
// It builds the objects from the Kubernetes API types (k8s.io/api) and
// encodes them with sigs.k8s.io/yaml; it is the only package that imports
// them. It does not talk to a cluster: the YAML goes to kubectl apply.
// docs/scale-out.md is the user's guide.
package k8s
