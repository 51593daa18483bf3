"""Figures on the card: body maps, tool icons, the pressure scale and raster images.

Each is a reportlab flowable whose geometry is parsed once per process and drawn with
the card's own colours and embedded fonts.
"""
