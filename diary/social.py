"""The site's link-preview image, drawn at build time from the site's own name and description.

Pillow draws it with the font it ships, so nothing is fetched. The OpenGraph
and Twitter tags that point at it are in overrides/main.html.
"""

import io
import textwrap

from mkdocs.structure.files import File
from PIL import Image, ImageDraw, ImageFont

CARD = "assets/images/social-card.png"
SIZE = (1200, 630)
BACKGROUND, FOREGROUND, MUTED = "#3f51b5", "#ffffff", "#c5cae9"


def add_card(files, config, png):
    """Add the card, as PNG bytes, to the site."""
    files.append(File.generated(config, CARD, content=png))


def card_png(title, description):
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((80, 150), title, font=ImageFont.load_default(size=84), fill=FOREGROUND)
    lines = textwrap.wrap(" ".join(description.split()), width=46)[:4]
    draw.multiline_text((80, 290), "\n".join(lines), font=ImageFont.load_default(size=40), fill=MUTED, spacing=14)
    draw.rectangle((80, 120, 200, 128), fill=FOREGROUND)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
