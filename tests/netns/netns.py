"""Two hosts on one machine: network namespaces joined by a veth pair.

    with TwoHosts() as net:      # net.a / net.b namespaces, net.addr_a / net.addr_b
        ...

Needs root and iproute2; otherwise tests using it skip (exit 77) with the
reason.  Everything created is torn down, also on failure.
"""
import os
import subprocess
import uuid


def can_run():
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    if r.returncode != 0:
        return "ip netns does not work here: " + r.stderr.strip()
    return None


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


class TwoHosts:
    def __init__(self, mtu=1500, v6=True):
        tag = uuid.uuid4().hex[:6]
        self.a, self.b = "np3a" + tag, "np3b" + tag
        self.veth_a, self.veth_b = "v3a" + tag, "v3b" + tag
        self.addr_a, self.addr_b = "10.77.0.1", "10.77.0.2"
        self.addr6_a, self.addr6_b = "fd77::1", "fd77::2"
        self.mtu = mtu
        self.v6 = v6

    def __enter__(self):
        try:
            sh("ip", "netns", "add", self.a)
            sh("ip", "netns", "add", self.b)
            sh("ip", "link", "add", self.veth_a, "type", "veth", "peer", "name", self.veth_b)
            sh("ip", "link", "set", self.veth_a, "netns", self.a)
            sh("ip", "link", "set", self.veth_b, "netns", self.b)
            for ns, dev, addr, addr6 in ((self.a, self.veth_a, self.addr_a, self.addr6_a),
                                         (self.b, self.veth_b, self.addr_b, self.addr6_b)):
                sh("ip", "-n", ns, "link", "set", "lo", "up")
                sh("ip", "-n", ns, "link", "set", dev, "mtu", str(self.mtu))
                sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
                if self.v6:
                    sh("ip", "-n", ns, "addr", "add", addr6 + "/64", "dev", dev, "nodad")
                sh("ip", "-n", ns, "link", "set", dev, "up")
        except subprocess.CalledProcessError as e:
            self.__exit__(None, None, None)
            raise RuntimeError("cannot build the namespaces: %s %s" % (e.cmd, e.stderr))
        return self

    def __exit__(self, *exc):
        for ns in (self.a, self.b):
            # Kill anything left in the namespace, then delete it (the veth
            # pair goes with it).
            r = sh("ip", "netns", "pids", ns, check=False)
            for pid in r.stdout.split():
                sh("kill", "-9", pid, check=False)
            sh("ip", "netns", "del", ns, check=False)
        return False
