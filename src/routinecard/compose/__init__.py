"""Compose: a card's content and a layout -> flowables at one scale.

- `styles`: paragraph styles at a scale;
- `sections`: the card's sections (`Composer`), in the layout's order;
- `marks`: small drawn pieces (badges, warning sign, QR code, rules) and table helpers.

The one-page fit, which chooses the scale, is `routinecard.fit`.
"""
