#!/usr/bin/env python3
"""Writes the bad-input corpus (tests/data/bad/) and the foreign-made xlsx
fixtures (tests/data/foreign/). Run once; the files are committed, so the
tests need no Python. Each bad file is listed in bad/README.md with a
fragment the error message must contain (the place it names)."""

import gzip
import io
import os
import zipfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
FOREIGN = os.path.join(HERE, "foreign")

CASE_HEADER = "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS"


def case_row(aer, age="45", notif="12/03/2015", unit="", sexe="F"):
    return f"{aer};C{aer};1;{notif};{sexe};{age};{unit};;Médecin;Effet;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE"


def cp1252(lines):
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


expected = []


def write(name, data, fragment):
    with open(os.path.join(BAD, name), "wb") as f:
        f.write(data)
    expected.append((name, fragment))


def xlsx_bytes(rows, sheet="Sheet1", formula_cell=None, error_cell=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if formula_cell:
        ws[formula_cell[0]] = formula_cell[1]
    if error_cell:
        ws[error_cell[0]] = error_cell[1]
        ws[error_cell[0]].data_type = "e"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main():
    os.makedirs(BAD, exist_ok=True)
    os.makedirs(FOREIGN, exist_ok=True)
    good_cases = [CASE_HEADER] + [case_row(i) for i in range(1, 6)]

    write("Cas-Patients_utf16.csv", "\n".join(good_cases).encode("utf-16"), "line 1")
    write("Médicaments_binary.csv", gzip.compress(b"AER_ID;CAS;VER;MEDICAMENT;TYPE\n1;1;1;X;Produit\n" * 50), "Médicaments_binary.csv")
    write("Cas-Patients_missing_columns.csv",
          cp1252(["AER_ID;CAS;VER;NOTIF;GRAVE", "1;C1;1;12/03/2015;NON"]),
          "missing column(s) SEXE, AGE")
    write("Médicaments_renamed_columns.csv",
          cp1252(["AER_ID;CAS;VER;NOM_MEDICAMENT;TYPE", "1;C1;1;DOLIPRANE;Produit"]),
          "columns found: AER_ID, CAS, VER, NOM_MEDICAMENT, TYPE")
    write("Cas-Patients_empty.csv", b"", "line 1")
    write("Effets_header_only.csv", cp1252(["AER_ID;CAS;VER;DATE_DEB;EFFET_SOC;EFFET_HLT"]), "line 2")
    write("Cas-Patients_duplicate_keys.csv",
          cp1252([CASE_HEADER, case_row(1), case_row(2), case_row(1)]),
          "line 4, column AER_ID")
    write("Médicaments_unclosed_quote.csv",
          cp1252(["AER_ID;CAS;VER;MEDICAMENT;TYPE", "1;C1;1;DOLIPRANE;Produit",
                  '2;C2;1;"DOLIPRANE; 1000 mg;Spécialité', "3;C3;1;ASPIRINE;Produit"]),
          "line 3")
    bad_bom = b"\xef\xbb\xbf" + cp1252(good_cases[:3]) + "4;C4;1;12/03/2015;F;45;;;Pharmacien;Effet;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE\r\n".encode("cp1252")
    write("Cas-Patients_bom_then_cp1252.csv", bad_bom, "line 2")
    write("Cas-Patients_negative_age.csv",
          cp1252([CASE_HEADER, case_row(1), case_row(2, age="-3")]), "line 3, column AGE")
    write("Cas-Patients_absurd_age.csv",
          cp1252([CASE_HEADER, case_row(1), case_row(2, age="quarante")]), "line 3, column AGE")
    write("Cas-Patients_future_date.csv",
          cp1252([CASE_HEADER, case_row(1), case_row(2, notif="29/11/2924")]), "line 3, column NOTIF")
    write("Cas-Patients_impossible_date.csv",
          cp1252([CASE_HEADER, case_row(1), case_row(2, notif="31/02/2015")]), "line 3, column NOTIF")
    write("Cas-Patients_empty_notif.csv",
          cp1252([CASE_HEADER, case_row(1), case_row(2, notif="")]), "line 3, column NOTIF")
    write("Cas-Patients_empty_key.csv",
          cp1252([CASE_HEADER, case_row(1), ";C2;1;12/03/2015;F;45;;;Médecin;Effet;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE", case_row(3)]),
          "line 3")
    write("Médicaments_truncated.csv",
          cp1252(["AER_ID;CAS;VER;MEDICAMENT;TYPE", "1;C1;1;DOLIPRANE;Produit", "2;C2;1;ASPI"]), "line 3")
    compo12 = "\r\n".join(
        f"6000{i:04d}\tcomprimé\t02202\tPARACETAMOL\t\t\t\t\t500 mg\tun comprimé\tSA\t1" for i in range(1, 6)) + "\r\n"
    write("CIS_COMPO_bdpm_12_fields.txt", compo12.encode("cp1252"), "line 1")
    write("CIS_GENER_bdpm_semicolons.txt",
          cp1252(["1;CIMETIDINE 200 mg;65383183;0;1", "1;CIMETIDINE 200 mg;67535309;1;2"]), "line 1")
    write("CIS_bdpm_bad_cis.txt",
          "\r\n".join(f"ABC{i}\tDOLIPRANE {i} mg, comprimé\tcomprimé\torale\tAutorisation active\tProcédure nationale\tCommercialisée\t12/03/1998\t\t\t SANOFI\tNon" for i in range(3)).encode("cp1252"),
          "line 1")
    write("Effets_pipe_separated.csv",
          cp1252(["AER_ID|CAS|VER|DATE_DEB|EFFET_SOC|EFFET_HLT", "1|C1|1|12/03/2015|Affections cardiaques|Arythmies"]),
          "missing column(s)")
    write("dbo_VU_missing_column.csv",
          cp1252(["codeVU;codeProduit;nomVU", "NL1;P1;DOLIPRANE 1000 mg, comprimé"]), "missing column(s) codeCIS")
    write("NB_cip13_age_sexe.csv",
          cp1252(["CIP13;l_cip13;AGE;sexe;nbc;REM;BSE;BOITES", "3400930000001;DOLIPRANE;20;1;100;10,5;12,3;200"]),
          "year is not in the file name")
    write("NB_2019_cip13_age_sexe_bad_cip.csv",
          cp1252(["CIP13;l_cip13;AGE;sexe;nbc;REM;BSE;BOITES", "34009X;DOLIPRANE;20;1;100;10,5;12,3;200",
                  "3400930000001234;DOLIPRANE;20;1;100;10,5;12,3;200"]), "line 2")
    write("unknown_extract.csv", cp1252(["COL_A;COL_B", "1;2"]), "not recognised")

    vu_rows = [["codeVU", "codeCIS", "codeProduit", "nomVU"]] + [
        [f"NL{i}", 60000000 + i, f"P{i}", f"DOLIPRANE {i} mg, comprimé"] for i in range(1, 20)]
    full = xlsx_bytes(vu_rows, sheet="dbo_VU")
    write("dbo_VU_truncated.xlsx", full[: len(full) // 2], "dbo_VU_truncated.xlsx")
    write("dbo_Produit_plain_text.xlsx", cp1252(["codeProduit;nomProduit", "P1;DOLIPRANE"]), "dbo_Produit_plain_text.xlsx")
    comp_rows = [["codeVU", "codeSubstance", "codeNomSubstance", "codeNature"], ["NL1", 2202, 2202, 3], ["NL2", 2202, 2202, 3]]
    write("dbo_Composants_formula.xlsx", xlsx_bytes(comp_rows, "dbo_Composants", formula_cell=("B3", "=B2*1")), "B3")
    noms_rows = [["codeNomSubstance", "codeSubstance", "nomSubstance"], [2202, 2202, "PARACETAMOL"], [9999, 2202, "x"]]
    write("dbo_NomsSubstance_error_cell.xlsx", xlsx_bytes(noms_rows, "dbo_NomsSubstance", error_cell=("C3", "#REF!")), "C3")
    write("dbo_HistoNomsVU_empty_sheet.xlsx", xlsx_bytes([], "dbo_HistoNomsVU"), "sheet dbo_HistoNomsVU")
    write("dbo_Presentations_header_only.xlsx",
          xlsx_bytes([["codeVU", "numPresentation", "nomPresentation", "codeCIP13", "codeCIP"]], "dbo_Presentations"), "line 2")

    # The rows of bad/README.md's table (what is wrong is written by hand).
    for name, fragment in expected:
        print(f"| {name} | ? | exit 1: `{fragment}` |")

    # Foreign-made workbooks: written by openpyxl, codes as numbers the way
    # Excel leaves them, a date column as real Excel dates.
    import datetime
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "dbo_NomsSubstance"
    ws.append(["codeNomSubstance", "codeSubstance", "nomSubstance"])
    ws.append([2202, 2202, "PARACETAMOL"])
    ws.append([52202, 2202, "ACETAMINOPHENE"])
    ws.append([3236, 3236, "DOXORUBICINE (CHLORHYDRATE DE)"])
    ws.append([79600, 79600, "CEFUROXIME AXETIL"])
    ws.append([99999, 79600, "(NE PAS UTILISER) CEFUROXIME"])
    wb.save(os.path.join(FOREIGN, "dbo_NomsSubstance.xlsx"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "dbo_HistoNomsVU"
    ws.append(["codeVU", "nomAncienVU", "dateCreation", "codeProduit"])
    ws.append(["NL10001", "DOLIPRANE 1000MG CPR", datetime.datetime(2004, 5, 17), 101])
    ws.append(["NL10002", "INCONNU (LIBRA)", datetime.datetime(2005, 1, 1), 102])
    ws.append(["NL10003", "ANCIEN NOM", datetime.datetime(1998, 6, 30), 103])
    ws["C2"].number_format = "DD/MM/YYYY"
    wb.save(os.path.join(FOREIGN, "dbo_HistoNomsVU.xlsx"))


if __name__ == "__main__":
    main()
