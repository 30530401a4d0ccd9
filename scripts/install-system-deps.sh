#!/usr/bin/env bash
# Installs the Debian packages the test suites use: Chromium (driven by playwright-core) with fonts for
# readable screenshots, and the Vulkan loader with Mesa's Vulkan drivers, whose software driver (lavapipe)
# runs the webgpu backend's tests on machines without a GPU. Dawn needs a newer Mesa than bookworm's 22.3:
# on bookworm the drivers come from bookworm-backports (Mesa 25), whose apt source is added when missing.
# Needs root (or sudo). Safe to run again: it installs only what is missing or too old.
set -euo pipefail

MIN_MESA_MAJOR=24
BACKPORTS_SOURCE=/etc/apt/sources.list.d/bookworm-backports.sources
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

apt_updated=false
apt_update() {
  if [ "$apt_updated" = false ]; then
    $SUDO apt-get update -qq
    apt_updated=true
  fi
}

# The installed version of a package, or nothing.
installed_version() {
  dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | awk '$3 == "installed" { print $4 }'
}

mesa_is_recent() {
  local version
  version=$(installed_version mesa-vulkan-drivers)
  [ -n "$version" ] && [ -n "$(installed_version libvulkan1)" ] && [ "${version%%.*}" -ge "$MIN_MESA_MAJOR" ]
}

if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null || echo present)"
else
  apt_update
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  echo "chromium: $(chromium --version)"
fi

if ! mesa_is_recent; then
  release=()
  # shellcheck disable=SC1091
  if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ]; then
    if ! grep -qs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        $SUDO tee "$BACKPORTS_SOURCE" >/dev/null
      apt_updated=false
    fi
    release=(-t bookworm-backports)
  fi
  apt_update
  $SUDO apt-get install -y -qq --no-install-recommends "${release[@]}" mesa-vulkan-drivers libvulkan1 >/dev/null
  if ! mesa_is_recent; then
    echo "mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers) is older than $MIN_MESA_MAJOR: Dawn (the webgpu backend) needs a newer Mesa" >&2
    exit 1
  fi
fi
echo "mesa-vulkan-drivers: $(installed_version mesa-vulkan-drivers)"
