#!/bin/sh
# Install the Debian 12 packages octave-cka needs to build, test and plot.
# Works as root or through sudo; installs only what is missing.
set -e
# fonts-freefont-otf: Octave's text renderer needs FreeSans (only a
# "Recommends" of octave-common); without it every figure fails with
# "ft_text_renderer: invalid bounding box".  The plots print through
# gnuplot's cairo terminals, so Ghostscript is not needed.  protobuf-c: the
# SentencePiece tokenizer.model reader (protoc-c generates it at build time).
# octave-parallel: the "Workers" and "Cluster" modes of cka_compare (parcellfun,
# pserver/pconnect/netcellfun); the package works without it.
PKGS="octave liboctave-dev gnuplot-nox fonts-freefont-otf libopenblas-dev \
liblapack-dev autoconf automake make gcc pkg-config libutf8proc-dev zlib1g-dev \
libprotobuf-c-dev protobuf-c-compiler octave-parallel"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all Debian packages present"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
