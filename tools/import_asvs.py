#!/usr/bin/env python3
"""Extracts the requirements tlsprobe scores (ASVS 5.0.0 V12, ASVS 4.0.3 V9) from the OWASP
CSVs into data/asvs/requirements.csv, with tlsprobe's short titles and CWE mapping.
Run by hand when a new ASVS release is imported:
    tools/import_asvs.py ../shared/data/asvs data/asvs/requirements.csv
The rule and how columns (tlsprobe's, not OWASP's) are kept from the file being replaced; a new
requirement gets them empty, and the build (tools/gen_requirements.py) stops until they are
written. The build reads only the output file."""
import csv
import sys

# tlsprobe's own short titles (reports' column headers) and, for 5.0.0, which has no CWE
# column, the CWE of the 4.0.3 requirement it descends from.
EXTRA = {
    ("5.0.0", "12.1.1"): ("Only TLS 1.2/1.3, latest preferred", 326),
    ("5.0.0", "12.1.2"): ("Only recommended cipher suites, strongest preferred", 326),
    ("5.0.0", "12.1.3"): ("mTLS client certificates validated", 295),
    ("5.0.0", "12.1.4"): ("Certificate revocation (OCSP stapling)", 299),
    ("5.0.0", "12.1.5"): ("Encrypted Client Hello enabled", 200),
    ("5.0.0", "12.2.1"): ("External HTTP: TLS only, no cleartext fallback", 319),
    ("5.0.0", "12.2.2"): ("External services: publicly trusted certificate", 295),
    ("5.0.0", "12.3.1"): ("All connections encrypted, no fallback", 319),
    ("5.0.0", "12.3.2"): ("TLS clients validate certificates", 295),
    ("5.0.0", "12.3.3"): ("Internal HTTP: TLS only, no cleartext fallback", 319),
    ("5.0.0", "12.3.4"): ("Internal services: certificates from specific trusted CAs", 295),
    ("5.0.0", "12.3.5"): ("Internal services: mutual authentication", 287),
    ("4.0.3", "9.1.1"): ("TLS for all client connectivity, no fallback", None),
    ("4.0.3", "9.1.2"): ("Only strong cipher suites, strongest preferred", None),
    ("4.0.3", "9.1.3"): ("Only TLS 1.2/1.3, latest preferred", None),
    ("4.0.3", "9.2.1"): ("Trusted certificates; internal CAs pinned", None),
    ("4.0.3", "9.2.2"): ("Encrypted inbound and outbound connections", None),
    ("4.0.3", "9.2.3"): ("Connections to external systems authenticated", None),
    ("4.0.3", "9.2.4"): ("Certificate revocation (OCSP stapling)", None),
    ("4.0.3", "9.2.5"): ("Backend TLS failures logged", None),
}


def kept_columns(out):
    """(standard, id) -> [rule, how] of the catalogue being replaced."""
    try:
        with open(out, newline="", encoding="utf-8") as f:
            return {(r["standard"], r["id"]): [r.get("rule") or "", r.get("how") or ""] for r in csv.DictReader(f)}
    except FileNotFoundError:
        return {}


def main(src, out):
    kept = kept_columns(out)
    rows = []
    with open(f"{src}/OWASP_ASVS_5.0.0_en.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rid = r["req_id"].lstrip("V")
            if ("5.0.0", rid) in EXTRA:
                title, cwe = EXTRA[("5.0.0", rid)]
                rows.append(["ASVS 5.0.0", rid, r["L"], cwe, title, r["req_description"]])
    with open(f"{src}/OWASP_ASVS_4.0.3_en.csv", newline="", encoding="utf-8") as f:
        for r in csv.reader(f):
            if len(r) < 10 or not r[4].startswith("V9."):
                continue
            rid = r[4].lstrip("V")
            if ("4.0.3", rid) not in EXTRA:
                continue
            level = 1 if r[6] else 2 if r[7] else 3
            text = r[5].split(" ([C")[0]
            rows.append(["ASVS 4.0.3", rid, level, r[9], EXTRA[("4.0.3", rid)][0], text])
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["standard", "id", "level", "cwe", "title", "text", "rule", "how"])
        w.writerows(r + kept.get((r[0], r[1]), ["", ""]) for r in rows)
    return 0 if len(rows) == len(EXTRA) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
