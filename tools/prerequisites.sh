#!/usr/bin/env bash
# Sourced by ./run-lab and ./run-tests: makes sure the build and the lab have what they need.
# As root it installs what is missing from Debian's packages (and says what); otherwise it names what to
# install and stops.
set -euo pipefail

# command-to-check  Debian-package
vcpubal_requirements=(
  "javac:openjdk-17-jdk-headless"
  "mvn:maven"
  "qemu-system-x86_64:qemu-system-x86"
  "cpio:cpio"
  "depmod:kmod"
  "pkg:busybox-static:busybox-static"
  "xz:xz-utils"
  "zstd:zstd"
  "apt-get:apt"
  # packaging tests: the Debian systemd guest's root, reading and installing the RPMs, lintian, unit checks
  "mmdebstrap:mmdebstrap"
  "rpm:rpm"
  "lintian:lintian"
  "systemd-analyze:systemd"
  # backend = libvirt: the Java binding loads libvirt0; LibvirtIT runs a real libvirtd with TCG domains
  "pkg:libvirt0:libvirt0"
  "virsh:libvirt-clients"
  "libvirtd:libvirt-daemon"
  "pkg:libvirt-daemon-driver-qemu:libvirt-daemon-driver-qemu"
  # MetricsIT: a real Prometheus server scrapes the daemon; promtool lints the exposition and the alert rules
  "promtool:prometheus"
  # the fleet simulator (./run-lab --fleet, FleetIT) compiles its stand-in QEMU process
  "cc:gcc"
  "pkg:libc6-dev:libc6-dev"
)

vcpubal_missing_packages() {
  local entry cmd pkg
  for entry in "${vcpubal_requirements[@]}"; do
    if [[ $entry == pkg:* ]]; then
      entry=${entry#pkg:}
      pkg=${entry#*:}
      dpkg-query -W -f='${Status}' "${entry%%:*}" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    else
      cmd=${entry%%:*}
      pkg=${entry#*:}
      PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 || echo "$pkg"
    fi
  done
}

vcpubal_java_ok() {
  local v
  v=$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
  [[ -n $v && $v -ge 17 ]]
}

vcpubal_ensure_prerequisites() {
  local missing
  missing=$(vcpubal_missing_packages | sort -u | tr '\n' ' ')
  if command -v javac >/dev/null 2>&1 && ! vcpubal_java_ok; then
    missing="$missing openjdk-17-jdk-headless"
  fi
  missing=${missing%% }
  [[ -z ${missing// /} ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "vcpubal: missing packages: $missing" >&2
    echo "vcpubal: install them with: sudo apt-get install --no-install-recommends $missing" >&2
    return 1
  fi
  echo "vcpubal: installing missing packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing </dev/null
  echo "vcpubal: installed: $missing"
}
