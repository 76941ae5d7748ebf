#!/usr/bin/env bash
# Installs every Debian package nvsoc needs. Idempotent: packages that are
# already present are left alone, and apt is only touched when something is
# missing. Run as root (CI and the developer machines are root) or via sudo.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config clang-format
  # model libraries
  libsystemc-dev libyaml-cpp-dev libfmt-dev catch2 libfdt-dev libcli11-dev
  nlohmann-json3-dev libelf-dev verilator
  # device tree tools, used by tests and `nvsoc dts | dtc`
  device-tree-compiler
  # initramfs archives for the Linux boot tests
  cpio
  # guest side: bare-metal and Linux cross toolchains, firmware
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu
  opensbi
  # nvsoc's own Linux kernel (sw/linux): the source tarball, and the host
  # tools its build runs (kconfig needs flex and bison, the timeconst header
  # needs bc; make and gcc build the host programs). The fragment enables no
  # module signing, so libssl-dev is not needed.
  linux-source-6.12 make gcc flex bison bc
  # the kernel source's scripts/checkpatch.pl, run on sw/drivers by the
  # `lint:` test (the kernel build needs perl too)
  perl
  # differential reference
  qemu-system-misc
  # QEMU 10's qemu-system-riscv64, the AIA reference, is not installed (it
  # would bring OpenSBI 1.5.1): scripts/fetch-reference-qemu.sh unpacks it
  # from bookworm-backports. These are the bookworm libraries it links (its
  # package's Depends; `ldd` on it finds nothing else missing). Most come
  # with qemu-system-misc too.
  libaio1 libbpf1 libcapstone4 libfdt1 libfuse3-3 libglib2.0-0 libgmp10
  libgnutls30 libhogweed6 libibverbs1 libjpeg62-turbo libnettle8 libnuma1
  libpixman-1-0 libpmem1 libpng16-16 librdmacm1 libsasl2-2 libseccomp2
  libslirp0 libudev1 liburing2 libvdeplug2 libzstd1 zlib1g
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
