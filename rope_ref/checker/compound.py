"""(being written: issue 16)"""
