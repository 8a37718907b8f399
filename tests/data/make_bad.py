#!/usr/bin/env python3
"""Writes the bad inputs of issue 12 into tests/data/bad/ from the bundled
sample (sample-data/), a few rows each. Run once; the files are committed
and listed in bad/README.md (file, what is wrong, expected outcome), which
tests/bad_inputs.rs reads. Needs only the standard library."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
SAMPLE = os.path.join(HERE, "..", "..", "sample-data")


def sample_lines(name, n):
    with open(os.path.join(SAMPLE, name), "rb") as f:
        return f.read().split(b"\r\n")[: n + 1]


def write(name, data):
    with open(os.path.join(BAD, name), "wb") as f:
        f.write(data)


def rename_column(lines, old, new):
    header = lines[0].split(b";")
    header[header.index(old.encode())] = new.encode()
    return [b";".join(header)] + lines[1:]


def drop_column(lines, name):
    i = lines[0].split(b";").index(name.encode())
    return [b";".join(f for j, f in enumerate(l.split(b";")) if j != i) for l in lines]


def main():
    cases = sample_lines("Cas-Patients.csv", 5)
    effects = sample_lines("Effets.csv", 5)
    # Finding 1: a column a figure reads, renamed: refused, naming it.
    for column in ["U_AGE", "TYP_NOTIF", "DECES", "PRO_V", "HOSPI", "INCAP", "ANO_C",
                   "AUTRE", "PAYS_SURVENUE", "PAYS_CAS"]:
        write(f"Cas-Patients_renamed_{column}.csv",
              b"\r\n".join(rename_column(cases, column, column + "_X")) + b"\r\n")
    write("Effets_renamed_EFFET_HLT.csv",
          b"\r\n".join(rename_column(effects, "EFFET_HLT", "HLT")) + b"\r\n")
    # A column extracts may omit: imported with a warning.
    write("Cas-Patients_no_DATE_NAISS.csv",
          b"\r\n".join(drop_column(cases, "DATE_NAISS")) + b"\r\n")
    # Finding 4: a UTF-8 file with one invalid byte (line 4) stays UTF-8.
    utf8 = [l.decode("cp1252").encode("utf-8") for l in sample_lines("Cas-Patients.csv", 6)]
    utf8[3] = utf8[3].replace("é".encode("utf-8"), b"\xe9", 1)
    write("Cas-Patients_utf8_one_bad_byte.csv", b"\r\n".join(utf8) + b"\r\n")


if __name__ == "__main__":
    main()
