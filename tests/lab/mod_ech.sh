# Lab module (sourced by tests/lab/start.sh): Encrypted Client Hello (issue #13, RFC 9849).
# No server installable on Debian 12 speaks ECH (OpenSSL 3.0 has none), so these are
# tests/lab/fake_ech.py, a scripted TLS 1.3 server that answers the first flight only (one
# ServerHello, or a HelloRetryRequest and then one ServerHello) and closes; each logs what it
# decided ("accepted inner sni=...", "rejected: ...") to $LAB_DIR/logs/NAME.log. Keys:
# $LAB_DIR/ech/{accept,other}.{key,ecl,ecl.b64} from tests/lab/ech_keys.py (pki.sh makes them;
# made here too for a lab dir whose PKI predates them). Ports: LAB_PORT_BASE + offset,
# exported as LAB_PORT_<NAME in capitals>:
#   ech_accept      +190  ECH with accept.key: decrypts the hello made with accept.ecl and answers
#                         ClientHelloInner with the acceptance confirmation (RFC 9849 7.2)
#   ech_reject      +191  ECH with other.key only: a hello made with accept.ecl (config_id 0x2a,
#                         not its 0x2b) is answered as the outer hello, without confirmation,
#                         then an encrypted EncryptedExtensions carrying other.ecl as retry_configs
#   ech_none        +192  TLS 1.3 without ECH: ignores the extension (ECH or GREASE) and answers
#   ech_greasebreak +193  closes, without an alert, on any hello that carries 0xfe0d
#   ech_hrr         +194  as ech_accept, after a HelloRetryRequest carrying the 8-byte ECH
#                         confirmation (7.2.1) and a cookie; the second hello must decrypt with the
#                         same HPKE context. A hello it cannot decrypt gets an HRR without
#                         confirmation, then ServerHello and EncryptedExtensions (retry_configs)
#   (+195..+199 are reserved for this module)
# Also exported: LAB_ECH_CONFIG_LIST (accept.ecl in base64), LAB_ECH_CONFIG_FILE (accept.ecl),
# LAB_ECH_OTHER_CONFIG_LIST (other.ecl in base64). tests/integration/ech_lab.sh checks what
# these servers do; the ech probe's tests assert what tlsprobe finds on them.

ECH_OFFSETS=(ECH_ACCEPT:190 ECH_REJECT:191 ECH_NONE:192 ECH_GREASEBREAK:193 ECH_HRR:194)
for entry in "${ECH_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(ech_accept ech_reject ech_none ech_greasebreak ech_hrr)
MODULE_STARTERS+=(ech_start)
ECH_DIR=$LAB_DIR/ech
[ -f "$ECH_DIR/accept.ecl.b64" ] && [ -f "$ECH_DIR/other.ecl.b64" ] ||
  python3 "$LAB_SRC/ech_keys.py" "$LAB_DIR" || fail "ech: tests/lab/ech_keys.py failed"
{
  for entry in "${ECH_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
  echo "export LAB_ECH_CONFIG_LIST='$(tr -d '\n' <"$ECH_DIR/accept.ecl.b64")'"
  echo "export LAB_ECH_CONFIG_FILE='$ECH_DIR/accept.ecl'"
  echo "export LAB_ECH_OTHER_CONFIG_LIST='$(tr -d '\n' <"$ECH_DIR/other.ecl.b64")'"
} >> "$LAB_DIR/env"

# ech_fake NAME PORT MODE KEY: fake_ech.py with KEY's key and config list (none and
# greasebreak do not use them; their paths mark every process as this lab's, for stop.sh).
ech_fake() {
  need python3
  launch "$1" "$2" python3 "$LAB_SRC/fake_ech.py" --mode "$3" --port "$2" \
    --key "$ECH_DIR/$4.key" --config-list "$ECH_DIR/$4.ecl"
}

ech_start() {
  case $1 in
    ech_accept)      ech_fake ech_accept "$PORT_ECH_ACCEPT" accept accept ;;
    ech_reject)      ech_fake ech_reject "$PORT_ECH_REJECT" reject other ;;
    ech_none)        ech_fake ech_none "$PORT_ECH_NONE" none accept ;;
    ech_greasebreak) ech_fake ech_greasebreak "$PORT_ECH_GREASEBREAK" greasebreak accept ;;
    ech_hrr)         ech_fake ech_hrr "$PORT_ECH_HRR" hrr accept ;;
    *)               return 1 ;;
  esac
}
