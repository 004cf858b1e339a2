#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and the demo need.
# Idempotent: installs only what is missing, and runs `apt-get update` only then.
# Leaves no service running: the lab starts its own nginx/dnsmasq on loopback ports.
set -euo pipefail

PACKAGES=(
  build-essential clang pkg-config python3
  libssl-dev libcurl4-openssl-dev libc-ares-dev libyaml-dev libjson-c-dev
  openssl nginx-light gnutls-bin dnsmasq-base jq procps iproute2
  libclang-rt-14-dev   # ASan/UBSan runtime for `make check-asan` with clang
  python3-jsonschema   # tests: every JSON report is validated against schema/tlsprobe-report.schema.json
  libxml2-utils        # tests: xmllint validates the JUnit report against tests/schema/junit.xsd
  chromium             # tests: headless Chromium renders the HTML report and screenshots its charts
  python3-pil          # tests/integration/html_overview.sh reads the charts' pixels in that screenshot
  faketime             # the lab dates one OCSP response in the past (a stale staple)
  # STARTTLS lab servers (tests/lab/mod_mail.sh): SMTP, IMAP/POP3, PostgreSQL 15
  exim4-daemon-light dovecot-imapd dovecot-pop3d postgresql
  # Real LDAP, FTP and MySQL STARTTLS servers (tests/lab/mod_mail2.sh)
  slapd vsftpd mariadb-server
  # tests/integration/oracle_nmap.sh: nmap's ssl-enum-ciphers and sslv2 scripts enumerate every
  # lab TLS server independently, and tlsprobe's suite sets must equal theirs (a second
  # implementation of enumeration that shares no code with tlsprobe)
  nmap
  # tests/integration/slurm.sh: a real job engine runs --shard env/N as a job array (a
  # single-node Slurm the test starts itself, with its own munge key; no service is enabled)
  slurm-wlm munge
  python3-yaml         # tests/integration/shard.sh parses examples/kubernetes/*.yaml
  sslscan testssl.sh   # `make bench` (tests/bench/run.sh, sweep.sh) compares tlsprobe with them
)

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  # nginx-light and nginx both provide a usable nginx binary.
  if [ "$pkg" = nginx-light ] && { is_installed nginx || is_installed nginx-full ||
                                   is_installed nginx-core || is_installed nginx-extras; }; then
    continue
  fi
  is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root:  sudo $0" >&2
  echo "  (or: sudo apt-get update && sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Keep package scripts from starting services (nginx would bind :80) while we install.
# Only add our policy if none exists, and remove only what we added.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  added_policy=1
fi
cleanup() { if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "install-deps: installing: ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null

# In case a service we just installed got started anyway (a pre-existing policy-rc.d may
# allow it), stop and disable it so nothing listens on :80, :53, :25, :143, :110, :5432,
# :389, :21 or :3306 afterwards.
services=()
case " ${missing[*]} " in *" nginx-light "*) services+=(nginx) ;; esac
case " ${missing[*]} " in *" exim4-daemon-light "*) services+=(exim4) ;; esac
case " ${missing[*]} " in *" dovecot-imapd "*|*" dovecot-pop3d "*) services+=(dovecot) ;; esac
case " ${missing[*]} " in *" postgresql "*) services+=(postgresql) ;; esac
case " ${missing[*]} " in *" slapd "*) services+=(slapd) ;; esac
case " ${missing[*]} " in *" vsftpd "*) services+=(vsftpd) ;; esac
case " ${missing[*]} " in *" mariadb-server "*) services+=(mariadb) ;; esac
case " ${missing[*]} " in *" slurm-wlm "*) services+=(slurmctld slurmd) ;; esac
case " ${missing[*]} " in *" munge "*) services+=(munge) ;; esac
for svc in "${services[@]}"; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  elif [ -x "/etc/init.d/$svc" ]; then
    "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
done

echo "install-deps: done"
