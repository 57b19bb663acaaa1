"""Reading and writing office files.

Owns: .xlsx writing with office conventions (xlsx), reading .xlsx/.csv tables under caps (tabular,
and xlsx_read, the streaming sheet reader the importers and the attachment scan share), display
width of CJK text (textwidth) and the default table fonts.
May import: errors only (the bottom layer, beside store).
"""
