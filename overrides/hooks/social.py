"""The site's link-preview image, drawn at build time from the site's own name and description.

Pillow draws it with the font it ships, so nothing is fetched; the PNG is
cached under .cache/ by a hash of its text and only redrawn when that changes.
The OpenGraph and Twitter tags that point at it are in overrides/main.html.
"""

import hashlib
import textwrap
from pathlib import Path

from mkdocs.structure.files import File
from PIL import Image, ImageDraw, ImageFont

CARD = "assets/images/social-card.png"
SIZE = (1200, 630)
BACKGROUND, FOREGROUND, MUTED = "#3f51b5", "#ffffff", "#c5cae9"


def on_files(files, config):
    files.append(File.generated(config, CARD, abs_src_path=str(card_for(config))))
    return files


def card_for(config):
    """Path of the cached card for this site's name and description, drawing it if needed."""
    text = f"{config.site_name}\n{config.site_description or ''}"
    cache = Path(config.config_file_path).parent / ".cache" / "social"
    path = cache / f"card-{hashlib.sha256(text.encode()).hexdigest()[:16]}.png"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        draw_card(config.site_name, config.site_description or "").save(path, optimize=True)
    return path


def draw_card(title, description):
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((80, 150), title, font=ImageFont.load_default(size=84), fill=FOREGROUND)
    lines = textwrap.wrap(" ".join(description.split()), width=46)[:4]
    draw.multiline_text((80, 290), "\n".join(lines), font=ImageFont.load_default(size=40), fill=MUTED, spacing=14)
    draw.rectangle((80, 120, 200, 128), fill=FOREGROUND)
    return image
