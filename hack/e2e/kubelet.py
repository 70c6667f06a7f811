"""A kubelet and a Deployment controller for the end-to-end run, with Podman: every
Deployment read from the API is run as the pod template says, from the loaded images,
and its status reports what the pods' probes found (docs/e2e.md lists what is played).

Each pod is a Podman pod on the default bridge network (its own network namespace and
IP, like a pod IP), its containers made from the pod spec field by field: command and
args, env (values, the downward API, Secret and ConfigMap keys), volumes (ConfigMap,
Secret, projected, emptyDir, and the service account token a kubelet mounts), ports,
the pod and container securityContext (user, group, fsGroup, runAsNonRoot, read-only
root, capabilities, no privilege escalation, seccomp) and resource limits. A field this
file does not know makes the pod fail with `Unplayable`, never run without it. Readiness
and liveness probes run against the pod IP at their declared periods; a Deployment
reports ready replicas only for pods whose readiness probe passed."""
import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time

import requests

POD_NETWORK = "podman"
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class Unplayable(Exception):
    """A pod spec field the harness cannot run as a kubelet would."""


def podman(*args, check=True, capture=True):
    result = subprocess.run(["podman", *map(str, args)], capture_output=capture, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(map(str, args[:3]))}: {result.stderr.strip()}")
    return result.stdout.strip()


def allowed(where, spec, known):
    unknown = sorted(set(spec) - set(known))
    if unknown:
        raise Unplayable(f"{where}: the harness does not play {', '.join(unknown)}")


class Probe:
    """One readiness or liveness probe and the kubelet's counters for it."""

    def __init__(self, kind, spec, ports, started):
        allowed(f"{kind}Probe", spec, {"httpGet", "tcpSocket", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                                       "successThreshold", "failureThreshold"})
        self.kind, self.spec, self.ports = kind, spec, ports
        self.period = spec.get("periodSeconds", 10)
        self.timeout = spec.get("timeoutSeconds", 1)
        self.success_threshold = spec.get("successThreshold", 1)
        self.failure_threshold = spec.get("failureThreshold", 3)
        self.next = started + spec.get("initialDelaySeconds", 0)
        self.successes = self.failures = 0
        self.passed = False
        self.answered = 0
        self.last = None
        if "httpGet" in spec:
            allowed(f"{kind}Probe.httpGet", spec["httpGet"], {"path", "port", "scheme", "httpHeaders"})
            if spec["httpGet"].get("scheme", "HTTP") != "HTTP":
                raise Unplayable(f"{kind}Probe.httpGet.scheme {spec['httpGet']['scheme']}")
            self.port = self._port(spec["httpGet"]["port"])
        elif "tcpSocket" in spec:
            allowed(f"{kind}Probe.tcpSocket", spec["tcpSocket"], {"port"})
            self.port = self._port(spec["tcpSocket"]["port"])
        else:
            raise Unplayable(f"{kind}Probe without httpGet or tcpSocket")

    def _port(self, port):
        if isinstance(port, int):
            return port
        if port not in self.ports:
            raise Unplayable(f"{self.kind}Probe names port {port!r}, which no container port is named")
        return self.ports[port]

    def due(self, now):
        return now >= self.next

    def run(self, host, now):
        """Probes once; True when this probe's state changed."""
        self.next = now + self.period
        ok, self.last = self._check(host)
        self.answered += ok
        before = self.passed
        if ok:
            self.successes, self.failures = self.successes + 1, 0
            if self.successes >= self.success_threshold:
                self.passed = True
        else:
            self.successes, self.failures = 0, self.failures + 1
            if self.failures >= self.failure_threshold or not before:
                self.passed = False
        return before != self.passed

    def _check(self, host):
        if "tcpSocket" in self.spec:
            try:
                with socket.create_connection((host, self.port), timeout=self.timeout):
                    return True, f"tcp {host}:{self.port} open"
            except OSError as error:
                return False, f"tcp {host}:{self.port}: {error}"
        get = self.spec["httpGet"]
        headers = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}
        url = f"http://{host}:{self.port}{get.get('path', '/')}"
        try:
            response = requests.get(url, timeout=self.timeout, headers=headers, allow_redirects=False)
        except requests.RequestException as error:
            return False, f"GET {url}: {type(error).__name__}"
        # The kubelet's rule: 200 <= status < 400 succeeds.
        return 200 <= response.status_code < 400, f"GET {url} -> {response.status_code}"


class Pod:
    def __init__(self, namespace, deployment, template_hash, name):
        self.namespace, self.deployment, self.hash, self.name = namespace, deployment, template_hash, name
        self.podman_name = f"e2e-{namespace}-{name}"
        self.ip = None
        self.containers = {}  # container name -> podman container name
        self.ports = {}  # container port name -> number
        self.probes = []  # (container, Probe)
        self.failure = None
        self.restarts = 0
        self.started = time.monotonic()

    @property
    def ready(self):
        return self.failure is None and self.ip is not None and all(p.passed for _, p in self.probes if p.kind == "readiness")


class Kubelet:
    """Runs every Deployment of the API (but those `played` elsewhere) as Podman pods;
    syncs twice a second in a thread of its own, as the Deployment controller and the
    kubelet would."""

    def __init__(self, api, directory, ca_pem, hosts, kubernetes_service, token_for, played=None, mutate=None):
        self.api, self.directory, self.ca_pem = api, directory, ca_pem
        self.hosts = hosts  # callable: [(name, address)] for /etc/hosts
        self.kubernetes_service = kubernetes_service  # (host, port) of the API for pods
        self.token_for = token_for  # (namespace, service account) -> a bearer token the API accepts
        self.played = played or {}  # (namespace, name) -> (host, port) of a process playing it
        self.mutate = mutate  # for the breakage tests: changes a pod template before it runs
        self.pods = {}  # (namespace, deployment) -> [Pod]
        self.events = []  # what happened, for failure messages
        self.failures = {}  # (namespace, deployment) -> the last reason its pods are not ready
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    # -- lifecycle ------------------------------------------------------------------

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.thread.join(30)
        with self.lock:
            for pods in self.pods.values():
                for pod in pods:
                    self._remove(pod)
            self.pods.clear()

    def _loop(self):
        while not self.stopping.is_set():
            try:
                self.sync()
            except requests.RequestException as error:
                self.events.append(f"sync: {error}")
            except Exception as error:  # noqa: BLE001 - kept and reported by wait_rolled_out
                self.events.append(f"sync: {type(error).__name__}: {error}")
            self.stopping.wait(0.5)

    # -- the Deployment controller --------------------------------------------------

    def sync(self):
        deployments = self.api.get("/apis/apps/v1/deployments").json().get("items", [])
        seen = set()
        with self.lock:
            for deployment in deployments:
                key = (deployment["metadata"]["namespace"], deployment["metadata"]["name"])
                seen.add(key)
                if key in self.played:
                    self._sync_played(deployment, key)
                else:
                    self._sync(deployment, key)
            for key in [k for k in self.pods if k not in seen]:  # garbage collection
                for pod in self.pods.pop(key):
                    self._remove(pod)

    def _sync(self, deployment, key):
        template = deployment["spec"]["template"]
        if self.mutate:
            template = self.mutate(key, json.loads(json.dumps(template)))
        template_hash = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]
        replicas = deployment["spec"].get("replicas", 1)
        pods = self.pods.setdefault(key, [])
        current = [p for p in pods if p.hash == template_hash]
        while len(current) < replicas:
            pod = Pod(key[0], key[1], template_hash, f"{key[1]}-{template_hash[:8]}-{secrets.token_hex(3)}")
            pods.append(pod)
            current.append(pod)
            self._run(pod, template["spec"])
        for pod in current[replicas:]:
            pods.remove(pod)
            self._remove(pod)
        current = current[:replicas]
        for pod in current:
            self._probe(pod)
        if current and all(p.ready for p in current):  # RollingUpdate: old pods go once the new are ready
            for pod in [p for p in pods if p.hash != template_hash]:
                pods.remove(pod)
                self._remove(pod)
        ready = sum(p.ready for p in pods)
        not_ready = [p for p in current if not p.ready]
        if not_ready:
            self.failures[key] = "; ".join(self._why(p) for p in not_ready)
        else:
            self.failures.pop(key, None)
        self._report(deployment, replicas=len(pods), updated=len(current), ready=ready)

    def _sync_played(self, deployment, key):
        """A Deployment whose image cannot run here (the MCP server's): a process on the
        host plays its pods; its readiness probe is run against that process."""
        host, port = self.played[key]
        pods = self.pods.setdefault(key, [])
        if not pods:
            pod = Pod(key[0], key[1], "played", f"{key[1]}-played")
            pod.ip = host
            for container in deployment["spec"]["template"]["spec"]["containers"]:
                ports = {p["name"]: port for p in container.get("ports", []) if "name" in p}
                if "readinessProbe" in container:
                    pod.probes.append((container["name"], Probe("readiness", container["readinessProbe"], ports, pod.started)))
            pods.append(pod)
        self._probe(pods[0])
        replicas = deployment["spec"].get("replicas", 1)
        ready = replicas if pods[0].ready else 0
        self._report(deployment, replicas=replicas, updated=replicas, ready=ready)

    def _report(self, deployment, replicas, updated, ready):
        status = {"observedGeneration": deployment["metadata"].get("generation", 1), "replicas": replicas,
                  "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready}
        if all(deployment.get("status", {}).get(k) == v for k, v in status.items()):
            return
        namespace, name = deployment["metadata"]["namespace"], deployment["metadata"]["name"]
        self.api.patch(f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status", {"status": status})

    def _why(self, pod):
        if pod.failure:
            return f"pod {pod.name}: {pod.failure}"
        probes = [f"{c} {p.kind}: {p.last or 'not probed yet'}" for c, p in pod.probes if p.kind == "readiness" and not p.passed]
        return f"pod {pod.name} not ready ({'; '.join(probes) or 'starting'})"

    def wait_rolled_out(self, namespace, name, timeout=60):
        """Until the Deployment reports every replica updated and ready; else raises with the
        reason its pods are not ready."""
        deadline = time.monotonic() + timeout
        path = f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
        while time.monotonic() < deadline:
            response = self.api.get(path)
            if response.ok:
                deployment = response.json()
                status, replicas = deployment.get("status", {}), deployment["spec"].get("replicas", 1)
                if (status.get("observedGeneration") == deployment["metadata"].get("generation")
                        and status.get("updatedReplicas") == replicas == status.get("readyReplicas") == status.get("replicas")):
                    return deployment
            pods = self.pods_of(namespace, name)
            if pods and all(p.failure for p in pods):
                # Not restarted (a kubelet would, in CrashLoopBackOff): the run fails at once.
                break
            time.sleep(0.2)
        reason = self.failures.get((namespace, name), "its Deployment never appeared" if not self.pods.get((namespace, name)) else "unknown")
        raise RuntimeError(f"Deployment {namespace}/{name} not rolled out: {reason}")

    def endpoints(self, namespace, deployment, port_name):
        """(pod IP, port) of a ready pod of the Deployment, for a Service's traffic."""
        with self.lock:
            for pod in self.pods.get((namespace, deployment), []):
                if pod.ready:
                    return pod.ip, pod.ports[port_name]
        return None

    def pods_of(self, namespace, deployment):
        with self.lock:
            return list(self.pods.get((namespace, deployment), []))

    # -- the kubelet ----------------------------------------------------------------

    def _probe(self, pod):
        if pod.failure or pod.ip is None:
            return
        now = time.monotonic()
        for container, probe in pod.probes:
            if not probe.due(now):
                continue
            probe.run(pod.ip, now)
            if probe.kind == "liveness" and probe.failures >= probe.failure_threshold:
                self.events.append(f"{pod.name}/{container}: liveness probe failed ({probe.last}); restarting")
                pod.restarts += 1
                podman("restart", "--time", "1", pod.containers[container], check=False)
                probe.failures = 0
        for container, podman_name in pod.containers.items():
            state = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", podman_name, check=False)
            if state.startswith("exited"):
                logs = subprocess.run(["podman", "logs", "--tail", "5", podman_name], capture_output=True, text=True)
                last = (logs.stderr.strip() or logs.stdout.strip()).splitlines()[-3:]
                pod.failure = f"container {container} exited with code {state.split()[-1]}: {' | '.join(last)}"
                self.events.append(f"{pod.name}: {pod.failure}")

    def _run(self, pod, spec):
        try:
            self._create(pod, spec)
        except Unplayable as error:
            pod.failure = f"unplayable: {error}"
            self.events.append(f"{pod.name}: {pod.failure}")
        except RuntimeError as error:
            pod.failure = str(error)
            self.events.append(f"{pod.name}: {pod.failure}")

    def _create(self, pod, spec):
        allowed("pod spec", spec, {"containers", "serviceAccountName", "automountServiceAccountToken", "enableServiceLinks",
                                   "securityContext", "terminationGracePeriodSeconds", "volumes", "restartPolicy", "dnsPolicy",
                                   "schedulerName"})
        pod_security = spec.get("securityContext", {})
        allowed("pod securityContext", pod_security, {"runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "seccompProfile"})
        account = spec.get("serviceAccountName", "default")
        root = self.directory / "pods" / pod.name
        root.mkdir(parents=True)
        volumes = {volume["name"]: self._volume(pod, volume, root, pod_security.get("fsGroup")) for volume in spec.get("volumes", [])}
        if spec.get("automountServiceAccountToken", True) is not False:
            token = self.token_for(pod.namespace, account)
            volumes["kube-api-access"] = self._files(root / "kube-api-access", {
                "token": token, "ca.crt": self.ca_pem, "namespace": pod.namespace}, 0o644, pod_security.get("fsGroup"))
            implicit = [{"name": "kube-api-access", "mountPath": SERVICE_ACCOUNT_DIR, "readOnly": True}]
        else:
            implicit = []
        args = ["pod", "create", "--name", pod.podman_name, "--hostname", pod.name, "--network", POD_NETWORK,
                "--label", "mcp-runtime-e2e=1"]
        for name, address in self.hosts():
            args += ["--add-host", f"{name}:{address}"]
        podman(*args)
        for container in spec["containers"]:
            self._container(pod, container, pod_security, volumes, implicit, account)
        podman("pod", "start", pod.podman_name)
        infra = podman("pod", "inspect", "--format", "{{.InfraContainerID}}", pod.podman_name)
        pod.ip = podman("inspect", "--format", f"{{{{.NetworkSettings.Networks.{POD_NETWORK}.IPAddress}}}}", infra)
        self.events.append(f"{pod.name}: started at {pod.ip}")

    def _container(self, pod, container, pod_security, volumes, implicit, account):
        allowed(f"container {container.get('name')}", container, {
            "name", "image", "command", "args", "env", "ports", "resources", "securityContext", "readinessProbe",
            "livenessProbe", "volumeMounts", "imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy"})
        name = container["name"]
        image = container["image"]
        if subprocess.run(["podman", "image", "exists", image]).returncode != 0:
            raise RuntimeError(f"container {name}: image {image} is not loaded (hack/image.sh builds it)")
        security = container.get("securityContext", {})
        allowed(f"container {name} securityContext", security, {"allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot",
                                                                "runAsUser", "runAsGroup", "capabilities", "seccompProfile"})
        podman_name = f"{pod.podman_name}-{name}"
        args = ["create", "--pod", pod.podman_name, "--name", podman_name, "--label", "mcp-runtime-e2e=1",
                # What the pod spec does not set is what a container runtime under a kubelet does.
                "--read-only-tmpfs=false", "--pull", "never"]
        user = security.get("runAsUser", pod_security.get("runAsUser"))
        group = security.get("runAsGroup", pod_security.get("runAsGroup"))
        image_user = podman("image", "inspect", "--format", "{{.Config.User}}", image)
        if user is None:
            user = image_user.split(":")[0] if image_user else "0"
        if security.get("runAsNonRoot", pod_security.get("runAsNonRoot")):
            if not str(user).isdigit():
                raise RuntimeError(f"container {name}: runAsNonRoot and image {image} has non-numeric user {user!r}")
            if int(user) == 0:
                raise RuntimeError(f"container {name}: runAsNonRoot and the image will run as root")
        args += ["--user", f"{user}:{group}" if group is not None else str(user)]
        if pod_security.get("fsGroup") is not None:
            args += ["--group-add", str(pod_security["fsGroup"])]
        if security.get("readOnlyRootFilesystem"):
            args.append("--read-only")
        if security.get("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        capabilities = security.get("capabilities", {})
        allowed(f"container {name} capabilities", capabilities, {"drop", "add"})
        for capability in capabilities.get("drop", []):
            args += ["--cap-drop", capability.lower()]
        for capability in capabilities.get("add", []):
            args += ["--cap-add", capability.lower()]
        seccomp = security.get("seccompProfile", pod_security.get("seccompProfile", {"type": "RuntimeDefault"}))
        if seccomp.get("type") == "Unconfined":
            args += ["--security-opt", "seccomp=unconfined"]
        elif seccomp.get("type") != "RuntimeDefault":
            raise Unplayable(f"container {name}: seccompProfile {seccomp}")
        resources = container.get("resources", {})
        allowed(f"container {name} resources", resources, {"limits", "requests"})
        limits = resources.get("limits", {})
        if "memory" in limits:
            args += ["--memory", quantity_bytes(limits["memory"])]
        if "cpu" in limits:
            args += ["--cpus", str(quantity_cpus(limits["cpu"]))]
        if "cpu" in resources.get("requests", {}):
            args += ["--cpu-shares", str(max(2, int(quantity_cpus(resources["requests"]["cpu"]) * 1024)))]
        # The kubelet's environment: the API's Service, then the container's env in order.
        host, port = self.kubernetes_service
        env = {"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": str(port), "KUBERNETES_SERVICE_PORT_HTTPS": str(port),
               "KUBERNETES_PORT": f"tcp://{host}:{port}"}
        for variable in container.get("env", []):
            env[variable["name"]] = self._env(pod, variable, account)
        for key, value in env.items():
            args += ["--env", f"{key}={value}"]
        for port_spec in container.get("ports", []):
            allowed(f"container {name} port", port_spec, {"name", "containerPort", "protocol"})
            if port_spec.get("protocol", "TCP") != "TCP":
                raise Unplayable(f"container {name}: port protocol {port_spec['protocol']}")
            if "name" in port_spec:
                pod.ports[port_spec["name"]] = port_spec["containerPort"]
        for mount in container.get("volumeMounts", []) + implicit:
            allowed(f"container {name} volumeMount", mount, {"name", "mountPath", "readOnly", "subPath"})
            if mount["name"] not in volumes:
                raise RuntimeError(f"container {name}: volumeMount {mount['name']} names no volume of the pod")
            source, writable = volumes[mount["name"]]
            if "subPath" in mount:
                source = source / mount["subPath"]
            read_only = mount.get("readOnly", False) or not writable
            args += ["--volume", f"{source}:{mount['mountPath']}:{'ro' if read_only else 'rw'}"]
        if "command" in container:
            args += ["--entrypoint", json.dumps(container["command"])]
        args.append(image)
        args += container.get("args", [])
        podman(*args)
        pod.containers[name] = podman_name
        for kind in ("readiness", "liveness"):
            if f"{kind}Probe" in container:
                pod.probes.append((name, Probe(kind, container[f"{kind}Probe"], pod.ports, pod.started)))

    def _env(self, pod, variable, account):
        allowed(f"env {variable['name']}", variable, {"name", "value", "valueFrom"})
        if "value" in variable:
            return variable["value"]
        source = variable["valueFrom"]
        if "fieldRef" in source:
            field = source["fieldRef"]["fieldPath"]
            values = {"metadata.name": pod.name, "metadata.namespace": pod.namespace, "spec.serviceAccountName": account}
            if field not in values:
                raise Unplayable(f"env {variable['name']}: fieldRef {field}")
            return values[field]
        if "secretKeyRef" in source or "configMapKeyRef" in source:
            kind, ref = ("secrets", source["secretKeyRef"]) if "secretKeyRef" in source else ("configmaps", source["configMapKeyRef"])
            data = self._object_data(pod.namespace, kind, ref["name"])
            if ref["key"] not in data:
                raise RuntimeError(f"env {variable['name']}: {kind[:-1]} {ref['name']} has no key {ref['key']}")
            return data[ref["key"]].decode()
        raise Unplayable(f"env {variable['name']}: valueFrom {sorted(source)}")

    def _object_data(self, namespace, kind, name):
        response = self.api.get(f"/api/v1/namespaces/{namespace}/{kind}/{name}")
        if response.status_code == 404:
            raise RuntimeError(f"{kind[:-1]} {namespace}/{name} does not exist")
        response.raise_for_status()
        body = response.json()
        if kind == "secrets":
            return {k: base64.b64decode(v) for k, v in (body.get("data") or {}).items()}
        return {k: v.encode() for k, v in (body.get("data") or {}).items()}

    def _volume(self, pod, volume, root, fs_group):
        """(host directory, writable) holding what the volume shows the container."""
        name = volume["name"]
        kinds = set(volume) - {"name"}
        target = root / "volumes" / name
        if kinds == {"emptyDir"}:
            target.mkdir(parents=True)
            target.chmod(0o777)
            return target, True
        if kinds == {"configMap"}:
            source = volume["configMap"]
            allowed(f"volume {name} configMap", source, {"name", "items", "defaultMode", "optional"})
            files = self._items(self._object_data(pod.namespace, "configmaps", source["name"]), source.get("items"), f"volume {name}")
            return self._files(target, files, source.get("defaultMode", 0o644), fs_group)
        if kinds == {"secret"}:
            source = volume["secret"]
            allowed(f"volume {name} secret", source, {"secretName", "items", "defaultMode", "optional"})
            files = self._items(self._object_data(pod.namespace, "secrets", source["secretName"]), source.get("items"), f"volume {name}")
            return self._files(target, files, source.get("defaultMode", 0o644), fs_group)
        if kinds == {"projected"}:
            source = volume["projected"]
            allowed(f"volume {name} projected", source, {"sources", "defaultMode"})
            files = {}
            for item in source["sources"]:
                allowed(f"volume {name} projected source", item, {"secret", "configMap"})
                kind, ref = ("secrets", item["secret"]) if "secret" in item else ("configmaps", item["configMap"])
                allowed(f"volume {name} projected {kind[:-1]}", ref, {"name", "items", "optional"})
                files.update(self._items(self._object_data(pod.namespace, kind, ref["name"]), ref.get("items"), f"volume {name}"))
            return self._files(target, files, source.get("defaultMode", 0o644), fs_group)
        raise Unplayable(f"volume {name}: {sorted(kinds)}")

    @staticmethod
    def _items(data, items, where):
        if items is None:
            return data
        files = {}
        for item in items:
            if item["key"] not in data:
                raise RuntimeError(f"{where}: no key {item['key']}")
            files[item["path"]] = data[item["key"]]
        return files

    @staticmethod
    def _files(target, files, mode, fs_group):
        """The files as a kubelet writes an atomic-writer volume: read-only to the
        container, owned by root and, with fsGroup, group-owned by it."""
        for path, content in files.items():
            file = target / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(content if isinstance(content, bytes) else content.encode())
            file.chmod(mode)
            if fs_group is not None:
                os.chown(file, 0, fs_group)
        target.mkdir(parents=True, exist_ok=True)
        for directory in [target, *[p for p in target.rglob("*") if p.is_dir()]]:
            directory.chmod(0o755)
            if fs_group is not None:
                os.chown(directory, 0, fs_group)
        return target, False

    def _remove(self, pod):
        for name, podman_name in pod.containers.items():
            logs = subprocess.run(["podman", "logs", podman_name], capture_output=True, text=True)
            (self.directory / f"{pod.name}-{name}.stdout").write_text(logs.stdout)
            (self.directory / f"{pod.name}-{name}.stderr").write_text(logs.stderr)
        if pod.containers or pod.ip:
            podman("pod", "rm", "--force", "--time", "2", pod.podman_name, check=False)
        shutil.rmtree(self.directory / "pods" / pod.name, ignore_errors=True)

    def logs(self, namespace, deployment, container, stream="stdout"):
        """What the containers of a Deployment's pods printed, running or removed."""
        lines = []
        for pod in self.pods_of(namespace, deployment):
            if container in pod.containers:
                logs = subprocess.run(["podman", "logs", pod.containers[container]], capture_output=True, text=True)
                lines += getattr(logs, stream).splitlines()
        return lines


def quantity_bytes(value):
    """A Kubernetes memory quantity as Podman takes it (bytes)."""
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 10**3, "M": 10**6, "G": 10**9}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return str(int(float(value[:-len(suffix)]) * factor))
    return str(int(value))


def quantity_cpus(value):
    value = str(value)
    return int(value[:-1]) / 1000 if value.endswith("m") else float(value)


class APIClient:
    """requests against the API server with the harness's own credentials."""

    def __init__(self, url, ca_file, token):
        self.url = url
        self.session = requests.Session()
        self.session.verify = str(ca_file)
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path):
        return self.session.get(self.url + path, timeout=10)

    def patch(self, path, body):
        response = self.session.patch(self.url + path, data=json.dumps(body), timeout=10,
                                      headers={"Content-Type": "application/merge-patch+json"})
        response.raise_for_status()
        return response


def load_images(archives):
    """`kind load image-archive`, here: each OCI archive into Podman's store."""
    names = []
    for archive in archives:
        output = podman("load", "--quiet", "--input", archive)
        names += [line.split(":", 1)[1].strip() for line in output.splitlines() if line.startswith("Loaded image")]
    return names
