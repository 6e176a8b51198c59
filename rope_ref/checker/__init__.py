"""The checker: which mistake did an implementation make?"""
