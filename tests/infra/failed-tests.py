"""Prints each failed test of the given .trx files with the first lines of its message (for the tail of a CI log)."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
FAILED = {"Failed", "Error", "Timeout", "Aborted"}

for path in sys.argv[1:]:
    for result in ET.parse(path).iter(NS + "UnitTestResult"):
        if result.get("outcome") not in FAILED:
            continue
        print(f"FAILED: {result.get('testName')}")
        message = result.findtext(f"{NS}Output/{NS}ErrorInfo/{NS}Message") or ""
        for line in message.strip().splitlines()[:4]:
            print(f"  {line.rstrip()[:300]}")
