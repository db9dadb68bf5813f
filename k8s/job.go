package k8s

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"time"
	"unicode/utf8"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// indexEnv is set by the Job controller in every container of an Indexed
// Job's pod, to the pod's completion index (kubernetes.io/docs/tasks/job/
// indexed-parallel-processing-static); the shard's args read it as
// $(JOB_COMPLETION_INDEX).
const indexEnv = "JOB_COMPLETION_INDEX"

// Labels on every object, tying it to its run. app.kubernetes.io/instance
// is the run id itself (check keeps it a valid label value).
const (
	labelName      = "app.kubernetes.io/name"
	labelRun       = "app.kubernetes.io/instance"
	labelComponent = "app.kubernetes.io/component"
	// AnnotationStartAt is on both Jobs: the run's shared start.
	AnnotationStartAt = "brink/start-at"
)

// shardGrace is the shards' termination grace: brink lets requests in
// flight finish (API Gateway ends one at 29 s) and stores its segment.
const shardGrace = 60

func (j *job) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: j.Namespace, Labels: j.labels(component)}
}

func (j *job) labels(component string) map[string]string {
	return map[string]string{labelName: "brink", labelRun: j.RunID, labelComponent: component}
}

// configMap holds the inputs; text in data, anything else (Parquet) in
// binaryData. Nil when there are none.
func (j *job) configMap() *corev1.ConfigMap {
	if len(j.inputs) == 0 {
		return nil
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: j.meta(j.configMapName(), "inputs"),
	}
	for _, in := range j.inputs {
		if utf8.Valid(in.data) && path.Ext(in.path) != ".parquet" {
			if cm.Data == nil {
				cm.Data = map[string]string{}
			}
			cm.Data[in.key] = string(in.data)
		} else {
			if cm.BinaryData == nil {
				cm.BinaryData = map[string][]byte{}
			}
			cm.BinaryData[in.key] = in.data
		}
	}
	return cm
}

func (j *job) configMapName() string { return "brink-" + j.name }

// shards is the Indexed Job: pod i runs shard i/N.
func (j *job) shards() *batchv1.Job {
	args := []string{"run",
		"--shard", fmt.Sprintf("$(%s)/%d", indexEnv, j.Shards),
		"--start-at", escape(j.StartAt.Format(time.RFC3339)),
		"--run-id", escape(j.RunID),
		"--target", escape(j.Target),
		"--runs-dir", escape(j.RunsDir),
	}
	for _, f := range [][2]string{{"--flow", j.flowPath}, {"--plan", j.planPath}, {"--sessions", j.corpusPath}} {
		if f[1] != "" {
			args = append(args, f[0], escape(f[1]))
		}
	}
	args = append(args, "--quiet")
	pod := j.pod("shard", shardScript, args)
	pod.Spec.TerminationGracePeriodSeconds = ptr(int64(shardGrace))
	pod.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		// Spread over nodes so shards do not share a node's CPU and
		// network; ScheduleAnyway, as more shards than nodes is allowed.
		MaxSkew:           1,
		TopologyKey:       corev1.LabelHostname,
		WhenUnsatisfiable: corev1.ScheduleAnyway,
		LabelSelector:     &metav1.LabelSelector{MatchLabels: j.labels("shard")},
	}}
	n := int32(j.Shards)
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: j.jobMeta("shards", "shard"),
		Spec: batchv1.JobSpec{
			CompletionMode: ptr(batchv1.IndexedCompletion),
			Completions:    &n,
			Parallelism:    &n,
			// No retries: a shard that starts late refuses to run, so a
			// retried pod could not replay its stripe. One failed shard
			// fails the Job, and Kubernetes stops the others (SIGTERM: they
			// store what they have), so no run goes on with a hole in its load.
			BackoffLimit: ptr(int32(0)),
			// A stuck shard is stopped when the analysis gives up on it.
			ActiveDeadlineSeconds: ptr(int64(j.WaitTimeout.Seconds())),
			Template:              pod,
		},
	}
}

// analyze is the Job that waits for the shards, then collects, analyses
// and reports the run.
func (j *job) analyze() *batchv1.Job {
	args := []string{escape(j.run), short(j.WaitTimeout)}
	if j.CollectSpec.given() {
		args = append(args, "--spec", InputsDir+"/collect.yaml")
	}
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: j.jobMeta("analyze", "analyze"),
		Spec: batchv1.JobSpec{
			Completions:  ptr(int32(1)),
			Parallelism:  ptr(int32(1)),
			BackoffLimit: ptr(int32(1)),
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
				// A drained node or a preempted pod is not analyze's
				// failure: run it again, without counting.
				{Action: batchv1.PodFailurePolicyActionIgnore, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{
					{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}},
				{Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
					ContainerName: ptr("analyze"), Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{waitFailed}}},
			}},
			Template: j.pod("analyze", analyzeScript, args),
		},
	}
}

func (j *job) jobMeta(suffix, component string) metav1.ObjectMeta {
	m := j.meta("brink-"+j.name+"-"+suffix, component)
	m.Annotations = map[string]string{AnnotationStartAt: j.StartAt.Format(time.RFC3339)}
	return m
}

// pod is a Job's pod template: one container running script under
// /bin/sh with args, the inputs mounted, as a non-root user.
func (j *job) pod(component, script string, args []string) corev1.PodTemplateSpec {
	c := corev1.Container{
		Name:    component,
		Image:   j.Image,
		Command: []string{"/bin/sh", "-c", script, "brink"},
		Args:    args,
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: j.cpu, corev1.ResourceMemory: j.mem}},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	for _, k := range slices.Sorted(maps.Keys(j.Env)) {
		c.Env = append(c.Env, corev1.EnvVar{Name: k, Value: escape(j.Env[k])})
	}
	if j.Secret != "" {
		c.EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: j.Secret}}}}
	}
	spec := corev1.PodSpec{
		RestartPolicy:      corev1.RestartPolicyNever,
		ServiceAccountName: j.ServiceAccount,
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{c},
	}
	if len(j.inputs) > 0 {
		var items []corev1.KeyToPath
		for _, in := range j.inputs {
			items = append(items, corev1.KeyToPath{Key: in.key, Path: in.path})
		}
		spec.Volumes = []corev1.Volume{{Name: "inputs", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: j.configMapName()}, Items: items}}}}
		spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "inputs", MountPath: InputsDir, ReadOnly: true}}
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: j.labels(component)}, Spec: spec}
}

func ptr[T any](v T) *T { return &v }
