#!/usr/bin/env python3
"""Generates src/api/schema/schema.json (format: src/api/schema/FORMAT.md).

Reads upstream's OpenAPI v2 document and the protobuf definitions (reference
data under ../shared), keeps only the facts the project needs (names, JSON
types, required lists, merge metadata, group/version/kind, protobuf message
names and field numbers) for the served kinds and everything reachable from
them, and cross-checks every JSON property against its protobuf field. Any
disagreement aborts the run: a silent mismatch would become a wire bug.

Standard library only. Usage:
  python3 tools/gen_schema.py [--openapi PATH] [--proto-root DIR] [--out PATH]
"""

import argparse
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

META = "io.k8s.apimachinery.pkg.apis.meta.v1."

# (group, version, kind) served by the project. Lists are found by name.
KINDS = [
    ("", "v1", k) for k in [
        "Namespace", "Pod", "Service", "Endpoints", "ConfigMap", "Secret",
        "Node", "Event", "ServiceAccount", "PersistentVolume",
        "PersistentVolumeClaim", "Binding", "LimitRange", "ResourceQuota"]
] + [
    ("apps", "v1", k) for k in [
        "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
        "ControllerRevision"]
] + [
    ("batch", "v1", "Job"), ("batch", "v1", "CronJob"),
    ("networking.k8s.io", "v1", "Ingress"),
    ("networking.k8s.io", "v1", "IngressClass"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("storage.k8s.io", "v1", "StorageClass"),
    ("discovery.k8s.io", "v1", "EndpointSlice"),
    ("coordination.k8s.io", "v1", "Lease"),
] + [
    ("rbac.authorization.k8s.io", "v1", k) for k in [
        "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]
] + [
    ("events.k8s.io", "v1", "Event"),
    ("policy", "v1", "PodDisruptionBudget"), ("policy", "v1", "Eviction"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("autoscaling", "v1", "HorizontalPodAutoscaler"),  # still served next to v2
    ("scheduling.k8s.io", "v1", "PriorityClass"),
    ("autoscaling", "v1", "Scale"),
    ("authentication.k8s.io", "v1", "TokenReview"),
    ("authentication.k8s.io", "v1", "TokenRequest"),
    ("authentication.k8s.io", "v1", "SelfSubjectReview"),
    ("authorization.k8s.io", "v1", "SubjectAccessReview"),
    ("authorization.k8s.io", "v1", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "v1", "LocalSubjectAccessReview"),
    ("authorization.k8s.io", "v1", "SelfSubjectRulesReview"),
]

# meta/v1 kinds: served under meta.k8s.io/v1 and, as upstream does for
# Status/DeleteOptions/WatchEvent, under the legacy core group "v1" too.
META_KINDS = ["Status", "DeleteOptions", "Table", "PartialObjectMetadata",
              "WatchEvent"]

# Definitions with their own JSON and wire shapes (see FORMAT.md).
SPECIAL = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "intorstring",
    META + "Time": "time",
    META + "MicroTime": "microtime",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "rawextension",
    META + "FieldsV1": "fieldsv1",
    META + "Duration": "duration",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "json",
}

# Scalar fields whose Go type is a pointer (*int32, *int64, *bool, *string):
# their zero value is meaningful (e.g. replicas: 0, suspend: false) and must
# survive a protobuf round trip. The reference data does not carry this; the
# list is curated from the upstream Go types (k8s.io/api, apimachinery),
# concentrating on what kubectl's create/apply paths and our controllers read.
# Keyed by definition name (short form after the io.k8s. prefix); fields not
# present in the definition abort the run, so a typo cannot go unnoticed.
POINTERS = {
    # meta/v1
    "apimachinery.pkg.apis.meta.v1.ObjectMeta": ["deletionGracePeriodSeconds"],
    "apimachinery.pkg.apis.meta.v1.ListMeta": ["remainingItemCount"],
    "apimachinery.pkg.apis.meta.v1.DeleteOptions": [
        "gracePeriodSeconds", "orphanDependents",
        "ignoreStoreReadErrorWithClusterBreakingPotential"],
    "apimachinery.pkg.apis.meta.v1.OwnerReference": [
        "controller", "blockOwnerDeletion"],
    "apimachinery.pkg.apis.meta.v1.Preconditions": ["uid", "resourceVersion"],
    "apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": [],
    # apps/v1
    "api.apps.v1.DeploymentSpec": [
        "replicas", "revisionHistoryLimit", "progressDeadlineSeconds"],
    "api.apps.v1.DeploymentStatus": ["collisionCount", "terminatingReplicas"],
    "api.apps.v1.ReplicaSetSpec": ["replicas"],
    "api.apps.v1.ReplicaSetStatus": ["terminatingReplicas"],
    "api.apps.v1.StatefulSetSpec": ["replicas", "revisionHistoryLimit"],
    "api.apps.v1.StatefulSetStatus": ["collisionCount"],
    "api.apps.v1.StatefulSetOrdinals": [],
    "api.apps.v1.RollingUpdateStatefulSetStrategy": ["partition"],
    "api.apps.v1.DaemonSetSpec": ["revisionHistoryLimit"],
    "api.apps.v1.DaemonSetStatus": ["collisionCount"],
    # autoscaling
    "api.autoscaling.v1.ScaleSpec": [],
    "api.autoscaling.v1.HorizontalPodAutoscalerSpec": ["minReplicas",
                                                     "targetCPUUtilizationPercentage"],
    "api.autoscaling.v1.HorizontalPodAutoscalerStatus": ["observedGeneration",
                                                       "currentCPUUtilizationPercentage"],
    "api.autoscaling.v2.HorizontalPodAutoscalerSpec": ["minReplicas"],
    "api.autoscaling.v2.HPAScalingRules": ["stabilizationWindowSeconds",
                                          "selectPolicy"],
    "api.autoscaling.v2.HorizontalPodAutoscalerStatus": ["observedGeneration"],
    "api.autoscaling.v2.MetricTarget": ["averageUtilization"],
    "api.autoscaling.v2.MetricValueStatus": ["averageUtilization"],
    # batch/v1
    "api.batch.v1.JobSpec": [
        "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
        "backoffLimitPerIndex", "maxFailedIndexes", "manualSelector",
        "ttlSecondsAfterFinished", "completionMode", "suspend",
        "podReplacementPolicy", "managedBy"],
    "api.batch.v1.JobStatus": ["completedIndexes", "failedIndexes",
                               "terminating", "ready"],
    "api.batch.v1.CronJobSpec": [
        "timeZone", "startingDeadlineSeconds", "suspend",
        "successfulJobsHistoryLimit", "failedJobsHistoryLimit"],
    "api.batch.v1.PodFailurePolicyOnExitCodesRequirement": ["containerName"],
    "api.batch.v1.SuccessPolicyRule": ["succeededIndexes", "succeededCount"],
    # core/v1
    "api.core.v1.PodSpec": [
        "terminationGracePeriodSeconds", "activeDeadlineSeconds",
        "automountServiceAccountToken", "shareProcessNamespace", "priority",
        "enableServiceLinks", "preemptionPolicy", "runtimeClassName",
        "setHostnameAsFQDN", "hostUsers"],
    "api.core.v1.Container": ["restartPolicy"],
    "api.core.v1.EphemeralContainer": ["restartPolicy"],
    "api.core.v1.SecurityContext": [
        "privileged", "runAsUser", "runAsGroup", "runAsNonRoot",
        "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount"],
    "api.core.v1.PodSecurityContext": [
        "runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup",
        "fsGroupChangePolicy", "supplementalGroupsPolicy",
        "seLinuxChangePolicy"],
    "api.core.v1.ServiceAccount": ["automountServiceAccountToken"],
    "api.core.v1.ConfigMap": ["immutable"],
    "api.core.v1.Secret": ["immutable"],
    "api.core.v1.ConfigMapKeySelector": ["optional"],
    "api.core.v1.SecretKeySelector": ["optional"],
    "api.core.v1.ConfigMapEnvSource": ["optional"],
    "api.core.v1.SecretEnvSource": ["optional"],
    "api.core.v1.ConfigMapVolumeSource": ["defaultMode", "optional"],
    "api.core.v1.SecretVolumeSource": ["defaultMode", "optional"],
    "api.core.v1.ConfigMapProjection": ["optional"],
    "api.core.v1.SecretProjection": ["optional"],
    "api.core.v1.ProjectedVolumeSource": ["defaultMode"],
    "api.core.v1.DownwardAPIVolumeSource": ["defaultMode"],
    "api.core.v1.KeyToPath": ["mode"],
    "api.core.v1.DownwardAPIVolumeFile": ["mode"],
    "api.core.v1.ServiceAccountTokenProjection": ["expirationSeconds"],
    "api.core.v1.Probe": [],
    "api.core.v1.GRPCAction": ["service"],
    "api.core.v1.HostPathVolumeSource": ["type"],
    "api.core.v1.Toleration": ["tolerationSeconds"],
    "api.core.v1.ServiceSpec": [
        "ipFamilyPolicy", "allocateLoadBalancerNodePorts",
        "loadBalancerClass", "internalTrafficPolicy", "trafficDistribution"],
    "api.core.v1.SessionAffinityConfig": [],
    "api.core.v1.ClientIPConfig": ["timeoutSeconds"],
    "api.core.v1.PersistentVolumeClaimSpec": [
        "storageClassName", "volumeMode", "volumeAttributesClassName"],
    "api.core.v1.PersistentVolumeSpec": ["volumeMode",
                                         "volumeAttributesClassName"],
    "api.core.v1.ContainerStatus": ["started"],
    "api.core.v1.EmptyDirVolumeSource": [],
    "api.core.v1.TopologySpreadConstraint": [
        "minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy"],
    "api.core.v1.PodDNSConfigOption": ["value"],
    "api.core.v1.EndpointPort": ["appProtocol"],
    "api.core.v1.ServicePort": ["appProtocol"],
    "api.core.v1.ContainerPort": [],
    "api.core.v1.ObjectReference": [],
    "api.core.v1.NodeSpec": [],
    "api.core.v1.LocalObjectReference": [],
    "api.core.v1.Event": [],
    "api.core.v1.EndpointAddress": ["nodeName"],
    # discovery/v1
    "api.discovery.v1.Endpoint": ["hostname", "nodeName", "zone"],
    "api.discovery.v1.EndpointConditions": ["ready", "serving",
                                            "terminating"],
    "api.discovery.v1.EndpointPort": ["name", "protocol", "port",
                                      "appProtocol"],
    # coordination/v1
    "api.coordination.v1.LeaseSpec": [
        "holderIdentity", "leaseDurationSeconds", "leaseTransitions",
        "strategy", "preferredHolder"],
    # networking/v1
    "api.networking.v1.IngressSpec": ["ingressClassName"],
    "api.networking.v1.NetworkPolicyPort": ["protocol", "endPort"],
    "api.networking.v1.HTTPIngressPath": ["pathType"],
    "api.networking.v1.IngressClassParametersReference": ["apiGroup",
                                                          "scope",
                                                          "namespace"],
    # storage/v1
    "api.storage.v1.StorageClass": ["reclaimPolicy", "allowVolumeExpansion",
                                    "volumeBindingMode"],
    # policy/v1
    "api.policy.v1.PodDisruptionBudgetSpec": ["unhealthyPodEvictionPolicy"],
    # rbac/v1
    "api.rbac.v1.ClusterRole": [],
    # scheduling/v1
    "api.scheduling.v1.PriorityClass": ["preemptionPolicy"],
    # authentication/v1
    "api.authentication.v1.TokenRequestSpec": ["expirationSeconds"],
    "api.authentication.v1.BoundObjectReference": [],
    # authorization/v1
    "api.authorization.v1.ResourceAttributes": [],
}


# Properties of the OpenAPI document (release 1.36) that the protobuf
# reference data does not have (alpha fields, version skew between the two
# sources). They are left out of the schema, since a field that cannot travel
# in protobuf would be lost silently; each entry must still exist upstream.
SKEW = {
    "io.k8s.api.core.v1.NodeAllocatableResourceClaimStatus.resources",
}
SKEW_USED = set()


def die(msg):
    sys.stderr.write("gen_schema: " + msg + "\n")
    sys.exit(1)


# ---------------------------------------------------------------- protobuf

class ProtoField:
    def __init__(self, name, number, label, ptype, map_value=None):
        self.name, self.number, self.label = name, number, label
        self.ptype = ptype          # scalar name or fully-qualified message
        self.map_value = map_value  # for map<string, V>: V (ptype is "map")


FIELD_RE = re.compile(
    r"^\s*(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)")
MAP_RE = re.compile(r"^\s*map<\s*string\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)")
SCALARS = {"string", "bytes", "int32", "int64", "bool", "double", "float",
           "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64"}


def parse_protos(root):
    messages = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f != "generated.proto":
                continue
            path = os.path.join(dirpath, f)
            with open(path) as fh:
                text = fh.read()
            pkg = re.search(r"^package\s+([\w.]+);", text, re.M).group(1)
            cur = None
            depth = 0
            for line in text.splitlines():
                s = line.strip()
                m = re.match(r"^message\s+(\w+)\s*\{", s)
                if m and depth == 0:
                    cur = pkg + "." + m.group(1)
                    messages[cur] = {}
                    depth = 1
                    continue
                if depth and s.startswith("message "):
                    die("%s: nested message not supported: %s" % (path, s))
                if s == "}" and depth:
                    depth, cur = 0, None
                    continue
                if not cur:
                    continue

                def qualify(t):
                    if t in SCALARS:
                        return t
                    if t.startswith("."):
                        return t[1:]
                    return pkg + "." + t
                m = MAP_RE.match(s)
                if m:
                    messages[cur][m.group(2)] = ProtoField(
                        m.group(2), int(m.group(3)), "map", "map",
                        qualify(m.group(1)))
                    continue
                m = FIELD_RE.match(s)
                if m:
                    messages[cur][m.group(3)] = ProtoField(
                        m.group(3), int(m.group(4)), m.group(1),
                        qualify(m.group(2)))
                elif s and not s.startswith(("option", "reserved", "//")):
                    die("%s: unparsed line in %s: %r" % (path, cur, s))
    return messages


# JSON names whose protobuf field is spelled differently (Go field name
# lower-cased by go-to-protobuf, e.g. APIGroup -> aPIGroup). Found by a
# case-insensitive match; every use is printed so new ones get noticed.
NAME_EXCEPTIONS = []


def proto_field(pmsg, pname):
    if pname in pmsg:
        return pmsg[pname]
    cands = [f for n, f in pmsg.items() if n.lower() == pname.lower()]
    if len(cands) == 1:
        NAME_EXCEPTIONS.append((pname, cands[0].name))
        return cands[0]
    return None


def find_inlined(pmsg, pname, props, messages, depth=0):
    """A JSON property of a Go struct embedded with `json:",inline"` lives in
    a sub-message on the wire (Volume.volumeSource, Probe.handler, ...).
    Returns (field, [enclosing field numbers]) or (None, [])."""
    if depth > 3:
        return None, []
    for n, f in sorted(pmsg.items(), key=lambda kv: kv[1].number):
        if n in props or f.label != "optional" or f.ptype not in messages:
            continue
        sub = messages[f.ptype]
        inner = proto_field(sub, pname)
        if inner is not None:
            return inner, [f.number]
        inner, via = find_inlined(sub, pname, props, messages, depth + 1)
        if inner is not None:
            return inner, [f.number] + via
    return None, []


def proto_name(defname):
    if not defname.startswith("io.k8s."):
        die("unexpected definition name " + defname)
    return "k8s.io." + defname[len("io.k8s."):]


# ---------------------------------------------------------------- openapi

# Definitions that upstream serves but the OpenAPI document leaves out
# (Table is JSON-only upstream: it has no protobuf message).
def extra_definitions(messages):
    s = {"type": "string"}
    i32 = {"type": "integer", "format": "int32"}
    ref = lambda n: {"$ref": "#/definitions/" + n}
    defs = {
        META + "Table": {"properties": {
            "apiVersion": s, "kind": s,
            "metadata": ref(META + "ListMeta"),
            "columnDefinitions": {"type": "array",
                                  "items": ref(META + "TableColumnDefinition")},
            "rows": {"type": "array", "items": ref(META + "TableRow")}},
            "required": ["columnDefinitions", "rows"],
            "x-kubepp-noproto": True},
        META + "TableColumnDefinition": {"properties": {
            "name": s, "type": s, "format": s, "description": s,
            "priority": i32},
            "required": ["name", "type", "format", "description", "priority"],
            "x-kubepp-noproto": True},
        META + "TableRow": {"properties": {
            "cells": {"type": "array", "items": {"x-kubepp-any": True}},
            "conditions": {"type": "array",
                           "items": ref(META + "TableRowCondition")},
            "object": ref("io.k8s.apimachinery.pkg.runtime.RawExtension")},
            "required": ["cells"],
            "x-kubepp-noproto": True},
        META + "TableRowCondition": {"properties": {
            "type": s, "status": s, "reason": s, "message": s},
            "required": ["type", "status"],
            "x-kubepp-noproto": True},
        META + "PartialObjectMetadata": {"properties": {
            "apiVersion": s, "kind": s, "metadata": ref(META + "ObjectMeta")}},
        META + "PartialObjectMetadataList": {"properties": {
            "apiVersion": s, "kind": s, "metadata": ref(META + "ListMeta"),
            "items": {"type": "array",
                      "items": ref(META + "PartialObjectMetadata")}},
            "required": ["items"]},
    }
    return defs


def type_ref(prop, where):
    """JSON TypeRef for an OpenAPI property schema."""
    if prop.get("x-kubepp-any"):
        return {"kind": "any"}
    if "$ref" in prop:
        return {"kind": "ref", "ref": prop["$ref"].split("/")[-1]}
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return type_ref(prop["allOf"][0], where)
    t = prop.get("type")
    if t == "string":
        r = {"kind": "string"}
        if prop.get("format") == "byte":
            r["format"] = "byte"
        return r
    if t == "integer":
        r = {"kind": "integer"}
        if prop.get("format") in ("int32", "int64"):
            r["format"] = prop["format"]
        return r
    if t == "number":
        return {"kind": "number", "format": "double"}
    if t == "boolean":
        return {"kind": "boolean"}
    if t == "array":
        return {"kind": "array", "items": type_ref(prop["items"], where)}
    if t == "object":
        if "additionalProperties" in prop:
            return {"kind": "map",
                    "values": type_ref(prop["additionalProperties"], where)}
        return {"kind": "any"}
    if t is None:
        return {"kind": "any"}
    die("%s: unsupported property schema %r" % (where, prop))


# ---------------------------------------------------------------- checks

def check_proto_type(tref, pf, defs, messages, where, repeated_ok=True):
    """Fails loudly when the JSON type and the proto field disagree; fills in
    missing integer formats from the proto type."""
    k = tref["kind"]
    if k == "array":
        if pf.label != "repeated":
            die("%s: JSON array but proto field is %s" % (where, pf.label))
        item = tref["items"]
        if item["kind"] in ("array", "map"):
            die("%s: nested collections are not supported" % where)
        check_scalar_or_ref(item, pf.ptype, defs, messages, where)
        return
    if k == "map":
        if pf.label != "map":
            die("%s: JSON map but proto field is %s" % (where, pf.label))
        v = tref["values"]
        if v["kind"] == "array":
            # map[string][]T travels as map<string, Wrapper{repeated T items=1}>
            w = messages.get(pf.map_value)
            if not w or set(w) != {"items"} or w["items"].number != 1 or \
                    w["items"].label != "repeated":
                die("%s: map of arrays needs an {items = 1} wrapper, got %s"
                    % (where, pf.map_value))
            check_scalar_or_ref(v["items"], w["items"].ptype, defs, messages,
                                where)
            return
        if v["kind"] == "map":
            die("%s: map of maps not supported" % where)
        check_scalar_or_ref(v, pf.map_value, defs, messages, where)
        return
    if pf.label not in ("optional", "required"):
        die("%s: JSON %s but proto field is %s" % (where, k, pf.label))
    check_scalar_or_ref(tref, pf.ptype, defs, messages, where)


def check_scalar_or_ref(tref, ptype, defs, messages, where):
    k = tref["kind"]
    if k == "string":
        want = "bytes" if tref.get("format") == "byte" else "string"
        if ptype != want:
            die("%s: JSON string(%s) vs proto %s" % (where, want, ptype))
    elif k == "integer":
        if ptype not in ("int32", "int64"):
            die("%s: JSON integer vs proto %s" % (where, ptype))
        if tref.get("format", ptype) != ptype:
            die("%s: JSON %s vs proto %s" % (where, tref["format"], ptype))
        tref["format"] = ptype
    elif k == "number":
        if ptype != "double":
            die("%s: JSON number vs proto %s" % (where, ptype))
    elif k == "boolean":
        if ptype != "bool":
            die("%s: JSON boolean vs proto %s" % (where, ptype))
    elif k == "ref":
        if ptype != proto_name(tref["ref"]):
            die("%s: JSON ref %s vs proto %s" % (where, tref["ref"], ptype))
    else:
        die("%s: JSON %s has no protobuf form" % (where, k))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--openapi", default=os.path.join(
        REPO, "..", "shared", "k8s-openapi", "swagger.json"))
    ap.add_argument("--proto-root", default=os.path.join(
        REPO, "..", "shared", "k8s-proto"))
    ap.add_argument("--out", default=os.path.join(
        REPO, "src", "api", "schema", "schema.json"))
    args = ap.parse_args()

    with open(args.openapi) as fh:
        swagger = json.load(fh)
    messages = parse_protos(args.proto_root)
    src = dict(swagger["definitions"])
    for n, d in extra_definitions(messages).items():
        if n in src:
            die("extra definition %s now exists upstream; drop it" % n)
        src[n] = d

    # Resolve served kinds to definitions via x-kubernetes-group-version-kind.
    by_gvk = {}
    for name, d in src.items():
        for g in d.get("x-kubernetes-group-version-kind", []):
            by_gvk.setdefault((g["group"], g["version"], g["kind"]), name)
    kinds = []
    wanted = list(KINDS)
    for k in META_KINDS:
        wanted.append(("meta.k8s.io", "v1", k))
    for (g, v, k) in wanted:
        if g == "meta.k8s.io":
            name = META + k
        else:
            name = by_gvk.get((g, v, k))
        if not name or name not in src:
            die("no definition for %s/%s %s" % (g, v, k))
        entry = {"group": g, "version": v, "kind": k, "definition": name}
        lname = name + "List"
        if lname in src:
            entry["list"] = lname
        kinds.append(entry)
    # Legacy core-group aliases for the meta kinds clients send as "v1".
    for k in ["Status", "DeleteOptions", "WatchEvent"]:
        kinds.append({"group": "", "version": "v1", "kind": k,
                      "definition": META + k})

    # Walk everything reachable.
    roots = [k["definition"] for k in kinds] + \
        [k["list"] for k in kinds if "list" in k]
    seen, order = set(), []
    out_defs = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in src:
            die("dangling reference to " + name)
        d = src[name]
        od = {}
        if name in SPECIAL:
            od["special"] = SPECIAL[name]
            od["proto"] = proto_name(name)
            if proto_name(name) not in messages:
                die("no proto message for special " + name)
            out_defs[name] = od
            continue
        props = d.get("properties")
        if props is None:
            die("%s: definition without properties and not special" % name)
        noproto = d.get("x-kubepp-noproto", False)
        pmsg = None
        if not noproto:
            od["proto"] = proto_name(name)
            pmsg = messages.get(od["proto"])
            if pmsg is None:
                die("%s: no protobuf message %s" % (name, od["proto"]))
        if d.get("required"):
            od["required"] = list(d["required"])
        if d.get("x-kubernetes-map-type"):
            od["structType"] = d["x-kubernetes-map-type"]
        short = name[len("io.k8s."):]
        ptrs = set(POINTERS.get(short, []))
        for p in ptrs:
            if p not in props:
                die("POINTERS: %s has no field %s" % (name, p))
        fields = []
        for pname, prop in props.items():
            where = "%s.%s" % (name, pname)
            f = {"name": pname, "type": type_ref(prop, where)}
            # apiVersion/kind of a top-level object live in the envelope;
            # elsewhere (OwnerReference, ObjectReference) they are fields.
            if pmsg is not None and (pname in pmsg or
                                     pname not in ("apiVersion", "kind")):
                pf = proto_field(pmsg, pname)
                via = []
                if pf is None:
                    pf, via = find_inlined(pmsg, pname, props, messages)
                if pf is None and where in SKEW:
                    SKEW_USED.add(where)
                    if pname in od.get("required", []):
                        od["required"].remove(pname)
                    continue
                if pf is None:
                    die("%s: no protobuf field named %s in %s"
                        % (where, pname, od["proto"]))
                check_proto_type(f["type"], pf, src, messages, where)
                f["proto"] = pf.number
                if via:
                    f["protoVia"] = via
            for src_key, dst_key in [
                    ("x-kubernetes-patch-strategy", "patchStrategy"),
                    ("x-kubernetes-patch-merge-key", "patchMergeKey"),
                    ("x-kubernetes-list-type", "listType"),
                    ("x-kubernetes-list-map-keys", "listMapKeys"),
                    ("x-kubernetes-map-type", "mapType")]:
                if src_key in prop:
                    f[dst_key] = prop[src_key]
            if pname in ptrs:
                if f["type"]["kind"] not in ("string", "integer", "boolean",
                                             "number"):
                    die("POINTERS: %s is not a scalar" % where)
                f["pointer"] = True
            fields.append(f)
            # enqueue references
            t = f["type"]
            while t["kind"] in ("array", "map"):
                t = t["items"] if t["kind"] == "array" else t["values"]
            if t["kind"] == "ref":
                pending.append(t["ref"])
        fields.sort(key=lambda f: (f.get("proto", 0), f["name"]))
        od["fields"] = fields
        out_defs[name] = od

    if SKEW_USED != SKEW:
        die("SKEW entries not met: %s" % sorted(SKEW - SKEW_USED))
    for short in POINTERS:
        if "io.k8s." + short not in out_defs:
            die("POINTERS names unreachable definition " + short)

    result = {"definitions": dict(sorted(out_defs.items())), "kinds": kinds}
    text = json.dumps(result, indent=1, sort_keys=False) + "\n"
    with open(args.out, "w") as fh:
        fh.write(text)
    for j, p in sorted(set(NAME_EXCEPTIONS)):
        print("note: JSON %s is proto %s" % (j, p))
    print("wrote %s: %d definitions, %d kinds" %
          (args.out, len(out_defs), len(kinds)))


if __name__ == "__main__":
    main()
