"""A picture for every room type: walls, floor and the furniture that makes the room recognisable.

Each room has its own wall and floor colours and its own objects (a stove and a fridge in the kitchen,
a bed in the bedroom, ...), drawn with Pillow shapes in unit coordinates, so a picture looks the same at
every size and on every machine. Pictures carry no words: telling the rooms apart is the player's task.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from llm_arena_env.games.grid.draw import Color, Pen, canvas, to_array

WHITE, BLACK, WOOD, DARK_WOOD = (245, 245, 240), (30, 30, 30), (168, 112, 62), (110, 70, 38)
HORIZON = 0.62  # where the back wall meets the floor


def _room(pen: Pen, wall: Color, floor: Color) -> None:
    pen.rect(0, 0, 1, HORIZON, fill=wall)
    pen.rect(0, HORIZON, 1, 1, fill=floor)
    pen.line([(0, HORIZON), (1, HORIZON)], (90, 80, 70), 0.012)


def kitchen(pen: Pen) -> None:
    _room(pen, (250, 236, 170), (236, 236, 236))
    for i in range(10):  # checkered floor
        pen.rect(i / 10, 0.8, (i + 1) / 10, 1, fill=(60, 60, 60) if i % 2 else (236, 236, 236))
    pen.rect(0.05, 0.4, 0.45, 0.8, fill=WHITE, outline=BLACK, width=0.01)  # stove
    for x in (0.15, 0.35):
        pen.circle(x, 0.46, 0.04, fill=BLACK)
    pen.rect(0.1, 0.55, 0.4, 0.75, fill=(60, 60, 70))  # oven window
    pen.rect(0.65, 0.12, 0.93, 0.8, fill=(220, 228, 235), outline=BLACK, width=0.01)  # fridge
    pen.line([(0.65, 0.38), (0.93, 0.38)], BLACK, 0.008)
    pen.line([(0.69, 0.2), (0.69, 0.32)], BLACK, 0.015)


def bedroom(pen: Pen) -> None:
    _room(pen, (206, 190, 232), WOOD)
    pen.rect(0.08, 0.3, 0.7, 0.6, fill=DARK_WOOD)  # headboard
    pen.rect(0.08, 0.55, 0.7, 0.8, fill=WHITE)  # mattress
    pen.rect(0.3, 0.55, 0.7, 0.85, fill=(60, 90, 190))  # blanket
    pen.ellipse(0.11, 0.48, 0.28, 0.6, fill=WHITE, outline=(170, 170, 170), width=0.005)  # pillow
    pen.rect(0.76, 0.5, 0.93, 0.72, fill=DARK_WOOD)  # nightstand
    pen.polygon([(0.79, 0.36), (0.9, 0.36), (0.93, 0.46), (0.76, 0.46)], fill=(250, 210, 90))  # lamp shade
    pen.line([(0.845, 0.46), (0.845, 0.5)], BLACK, 0.01)


def bathroom(pen: Pen) -> None:
    _room(pen, (178, 228, 236), WHITE)
    for i in range(1, 8):  # tiles
        pen.line([(i / 8, 0), (i / 8, HORIZON)], (140, 200, 210), 0.005)
        pen.line([(0, i * HORIZON / 8), (1, i * HORIZON / 8)], (140, 200, 210), 0.005)
    pen.rect(0.04, 0.5, 0.55, 0.78, fill=WHITE, outline=(120, 120, 120), width=0.012, radius=0.08)  # tub
    pen.line([(0.08, 0.3), (0.08, 0.5)], (150, 150, 160), 0.015)  # tap
    pen.ellipse(0.68, 0.6, 0.9, 0.7, fill=WHITE, outline=(120, 120, 120), width=0.008)  # toilet bowl
    pen.rect(0.74, 0.68, 0.84, 0.85, fill=WHITE, outline=(120, 120, 120), width=0.008)
    pen.rect(0.7, 0.4, 0.92, 0.58, fill=WHITE, outline=(120, 120, 120), width=0.008)  # cistern
    pen.rect(0.65, 0.06, 0.95, 0.3, fill=(200, 230, 250), outline=(150, 150, 160), width=0.01)  # mirror


def living_room(pen: Pen) -> None:
    _room(pen, (232, 214, 186), (180, 140, 100))
    pen.ellipse(0.05, 0.78, 0.95, 0.98, fill=(170, 40, 50))  # rug
    pen.rect(0.05, 0.45, 0.55, 0.78, fill=(200, 60, 60), radius=0.05)  # sofa
    pen.rect(0.05, 0.58, 0.55, 0.78, fill=(170, 45, 45))
    pen.rect(0.65, 0.22, 0.95, 0.45, fill=BLACK)  # television
    pen.rect(0.67, 0.24, 0.93, 0.43, fill=(70, 120, 200))
    pen.rect(0.7, 0.45, 0.9, 0.62, fill=DARK_WOOD)
    pen.circle(0.1, 0.28, 0.07, fill=(50, 150, 60))  # plant
    pen.rect(0.07, 0.33, 0.13, 0.45, fill=(150, 90, 50))


def dining_room(pen: Pen) -> None:
    _room(pen, (250, 240, 215), (150, 100, 60))
    pen.line([(0.5, 0), (0.5, 0.12)], BLACK, 0.008)  # chandelier
    pen.polygon([(0.4, 0.12), (0.6, 0.12), (0.55, 0.2), (0.45, 0.2)], fill=(240, 200, 60))
    for x in (0.12, 0.88):  # chairs
        pen.rect(x - 0.05, 0.35, x + 0.05, 0.85, fill=DARK_WOOD)
    pen.rect(0.2, 0.55, 0.8, 0.62, fill=WHITE)  # table with cloth
    pen.rect(0.25, 0.62, 0.28, 0.88, fill=DARK_WOOD)
    pen.rect(0.72, 0.62, 0.75, 0.88, fill=DARK_WOOD)
    for x in (0.33, 0.5, 0.67):  # plates
        pen.ellipse(x - 0.06, 0.52, x + 0.06, 0.57, fill=(250, 250, 250), outline=(120, 120, 200), width=0.004)


def office(pen: Pen) -> None:
    _room(pen, (176, 190, 206), (110, 110, 120))
    pen.rect(0.1, 0.55, 0.75, 0.6, fill=DARK_WOOD)  # desk
    for x in (0.12, 0.7):
        pen.rect(x, 0.6, x + 0.03, 0.88, fill=DARK_WOOD)
    pen.rect(0.3, 0.3, 0.55, 0.5, fill=BLACK)  # monitor
    pen.rect(0.32, 0.32, 0.53, 0.48, fill=(40, 110, 220))
    pen.rect(0.41, 0.5, 0.44, 0.55, fill=BLACK)
    pen.rect(0.35, 0.65, 0.5, 0.8, fill=(40, 40, 50))  # chair
    pen.rect(0.8, 0.3, 0.95, 0.85, fill=(150, 155, 160), outline=BLACK, width=0.006)  # filing cabinet
    for y in (0.48, 0.66):
        pen.line([(0.8, y), (0.95, y)], BLACK, 0.006)


def library(pen: Pen) -> None:
    _room(pen, (40, 90, 60), (120, 80, 50))
    colours = [(180, 40, 40), (40, 60, 160), (200, 160, 40), (40, 130, 70), (120, 50, 130), (210, 110, 40)]
    for shelf in range(3):
        top = 0.08 + shelf * 0.26
        pen.rect(0.05, top + 0.2, 0.95, top + 0.24, fill=DARK_WOOD)
        for i in range(14):
            x = 0.06 + i * 0.063
            pen.rect(x, top + 0.04 + (i % 3) * 0.02, x + 0.05, top + 0.2, fill=colours[(i + shelf) % len(colours)])


def garage(pen: Pen) -> None:
    _room(pen, (170, 170, 165), (90, 90, 95))
    pen.rect(0.62, 0.08, 0.95, 0.4, fill=(200, 170, 120))  # tool board
    for i, x in enumerate((0.68, 0.78, 0.88)):
        pen.line([(x, 0.12), (x, 0.32 - 0.04 * i)], (60, 60, 60), 0.015)
    pen.polygon([(0.15, 0.52), (0.3, 0.4), (0.6, 0.4), (0.72, 0.52)], fill=(200, 30, 30))  # car roof
    pen.rect(0.05, 0.52, 0.85, 0.72, fill=(200, 30, 30), radius=0.04)
    pen.polygon([(0.32, 0.43), (0.45, 0.43), (0.45, 0.52), (0.22, 0.52)], fill=(170, 210, 240))  # windows
    pen.polygon([(0.48, 0.43), (0.58, 0.43), (0.66, 0.52), (0.48, 0.52)], fill=(170, 210, 240))
    for x in (0.22, 0.68):
        pen.circle(x, 0.73, 0.08, fill=BLACK)
        pen.circle(x, 0.73, 0.035, fill=(180, 180, 180))


def laundry_room(pen: Pen) -> None:
    _room(pen, (190, 214, 240), (220, 220, 225))
    for x in (0.05, 0.38):  # two washing machines
        pen.rect(x, 0.35, x + 0.3, 0.8, fill=WHITE, outline=(110, 110, 120), width=0.008)
        pen.circle(x + 0.15, 0.6, 0.1, fill=(120, 150, 200), outline=(90, 90, 100), width=0.015)
        pen.rect(x + 0.03, 0.38, x + 0.12, 0.42, fill=(90, 90, 100))
    pen.polygon([(0.72, 0.6), (0.95, 0.6), (0.92, 0.85), (0.75, 0.85)], fill=(210, 180, 120))  # basket
    for i, colour in enumerate(((220, 80, 80), (80, 180, 90), (240, 220, 80))):
        pen.circle(0.77 + i * 0.07, 0.58, 0.045, fill=colour)


def nursery(pen: Pen) -> None:
    _room(pen, (250, 200, 215), (240, 225, 200))
    pen.rect(0.08, 0.4, 0.6, 0.45, fill=WHITE)  # crib rails and bars
    pen.rect(0.08, 0.72, 0.6, 0.77, fill=WHITE)
    for i in range(9):
        x = 0.09 + i * 0.063
        pen.rect(x, 0.45, x + 0.015, 0.72, fill=WHITE)
    pen.line([(0.34, 0), (0.34, 0.15)], BLACK, 0.005)  # mobile
    for x, colour in ((0.26, (250, 200, 50)), (0.42, (80, 160, 230))):
        pen.line([(0.26, 0.15), (0.42, 0.15)], BLACK, 0.005)
        pen.circle(x, 0.2, 0.035, fill=colour)
    for i, colour in enumerate(((230, 60, 60), (60, 120, 230), (250, 200, 40))):  # toy blocks
        pen.rect(0.68 + 0.1 * (i % 2), 0.86 - 0.1 * (i // 2) - 0.09, 0.77 + 0.1 * (i % 2), 0.86 - 0.1 * (i // 2),
                 fill=colour)


def gym(pen: Pen) -> None:
    _room(pen, (250, 170, 90), (70, 70, 80))
    pen.rect(0.05, 0.72, 0.6, 0.9, fill=(40, 40, 45))  # treadmill
    pen.line([(0.55, 0.72), (0.6, 0.38)], (150, 150, 160), 0.02)
    pen.rect(0.52, 0.34, 0.66, 0.4, fill=(150, 150, 160))
    for y in (0.25, 0.45):  # dumbbells on a rack
        pen.rect(0.72, y, 0.92, y + 0.02, fill=(120, 120, 130))
        for x in (0.72, 0.88):
            pen.rect(x, y - 0.05, x + 0.04, y + 0.07, fill=BLACK)
    pen.line([(0.82, 0.32), (0.82, 0.85)], (120, 120, 130), 0.015)


def music_room(pen: Pen) -> None:
    _room(pen, (130, 30, 50), (150, 100, 60))
    pen.polygon([(0.05, 0.45), (0.55, 0.45), (0.65, 0.3), (0.4, 0.25)], fill=BLACK)  # grand piano lid
    pen.rect(0.05, 0.45, 0.6, 0.58, fill=BLACK)
    pen.rect(0.07, 0.58, 0.58, 0.65, fill=WHITE)  # keyboard
    for i in range(1, 17):
        x = 0.07 + i * 0.03
        pen.line([(x, 0.58), (x, 0.65)], BLACK, 0.003)
        if i % 7 not in (3, 0):
            pen.rect(x - 0.008, 0.58, x + 0.008, 0.62, fill=BLACK)
    for x in (0.1, 0.53):
        pen.rect(x, 0.65, x + 0.03, 0.88, fill=BLACK)
    pen.ellipse(0.72, 0.55, 0.92, 0.85, fill=(200, 120, 40))  # guitar
    pen.circle(0.82, 0.7, 0.03, fill=BLACK)
    pen.rect(0.8, 0.2, 0.84, 0.56, fill=DARK_WOOD)


def greenhouse(pen: Pen) -> None:
    _room(pen, (200, 235, 210), (140, 110, 80))
    for i in range(1, 6):  # glass panes
        pen.line([(i / 6, 0), (i / 6, HORIZON)], (120, 160, 130), 0.008)
    pen.line([(0, 0.3), (1, 0.3)], (120, 160, 130), 0.008)
    for i, x in enumerate((0.15, 0.5, 0.85)):
        pen.polygon([(x - 0.1, 0.68), (x + 0.1, 0.68), (x + 0.07, 0.88), (x - 0.07, 0.88)], fill=(190, 90, 50))
        pen.circle(x, 0.55 - 0.05 * (i % 2), 0.13, fill=(40, 140 + 30 * (i % 2), 50))
        pen.circle(x + 0.05, 0.5, 0.03, fill=(230, 60, 90) if i != 1 else (250, 220, 60))


def pantry(pen: Pen) -> None:
    _room(pen, (236, 224, 200), (170, 130, 90))
    jars = [(230, 120, 40), (200, 40, 40), (240, 210, 80), (120, 70, 40), (90, 160, 60)]
    for shelf in range(3):
        y = 0.28 + shelf * 0.24
        pen.rect(0.05, y, 0.95, y + 0.03, fill=DARK_WOOD)
        for i in range(6):
            x = 0.1 + i * 0.14
            if (i + shelf) % 2:  # a jar with a lid
                pen.rect(x, y - 0.14, x + 0.09, y, fill=jars[(i + shelf) % 5], radius=0.02)
                pen.rect(x + 0.01, y - 0.17, x + 0.08, y - 0.14, fill=(150, 150, 150))
            else:  # a can
                pen.rect(x, y - 0.11, x + 0.08, y, fill=(180, 180, 190))
                pen.rect(x, y - 0.08, x + 0.08, y - 0.04, fill=jars[(i + shelf + 2) % 5])


def art_studio(pen: Pen) -> None:
    _room(pen, (245, 245, 250), (190, 170, 150))
    pen.line([(0.2, 0.85), (0.35, 0.15), (0.5, 0.85)], DARK_WOOD, 0.02)  # easel
    pen.rect(0.15, 0.2, 0.55, 0.55, fill=(250, 250, 245), outline=DARK_WOOD, width=0.01)  # canvas
    pen.circle(0.27, 0.32, 0.06, fill=(250, 200, 40))  # a painted sun and hills
    pen.polygon([(0.16, 0.54), (0.3, 0.4), (0.42, 0.5), (0.54, 0.42), (0.54, 0.54)], fill=(60, 150, 70))
    pen.ellipse(0.62, 0.62, 0.95, 0.82, fill=(200, 160, 110))  # palette
    for i, colour in enumerate(((220, 40, 40), (40, 90, 220), (250, 210, 40), (40, 170, 70))):
        pen.circle(0.68 + i * 0.07, 0.69 + 0.03 * (i % 2), 0.025, fill=colour)


def game_room(pen: Pen) -> None:
    _room(pen, (60, 70, 110), (120, 60, 50))
    pen.rect(0.08, 0.55, 0.92, 0.8, fill=DARK_WOOD, radius=0.03)  # pool table
    pen.rect(0.12, 0.58, 0.88, 0.77, fill=(30, 130, 60))
    for i, colour in enumerate(((250, 250, 250), (230, 40, 40), (250, 200, 40), (40, 60, 200), BLACK)):
        pen.circle(0.3 + i * 0.1, 0.66 + 0.04 * (i % 2), 0.025, fill=colour)
    for x in (0.12, 0.84):
        pen.rect(x, 0.8, x + 0.04, 0.95, fill=DARK_WOOD)
    for r, colour in ((0.12, BLACK), (0.09, (230, 40, 40)), (0.06, WHITE), (0.025, (40, 160, 60))):  # dartboard
        pen.circle(0.5, 0.25, r, fill=colour)


def wine_cellar(pen: Pen) -> None:
    _room(pen, (120, 110, 100), (80, 70, 60))
    for row in range(4):  # stone wall
        for i in range(6):
            x = (i + 0.5 * (row % 2)) / 6 - 0.08
            pen.rect(x, row * 0.155 + 0.01, x + 0.15, row * 0.155 + 0.14, fill=(140, 128, 116))
    for x in (0.2, 0.55):  # barrels
        pen.ellipse(x - 0.16, 0.45, x + 0.16, 0.88, fill=(140, 85, 40))
        for y in (0.55, 0.78):
            pen.line([(x - 0.15, y), (x + 0.15, y)], BLACK, 0.012)
    pen.rect(0.75, 0.25, 0.97, 0.85, fill=DARK_WOOD)  # wine rack
    for row in range(4):
        for col in range(2):
            pen.circle(0.81 + col * 0.1, 0.33 + row * 0.14, 0.035, fill=(90, 20, 40))


PAINTERS: dict[str, Callable[[Pen], None]] = {
    "Kitchen": kitchen, "Bedroom": bedroom, "Bathroom": bathroom, "Living room": living_room,
    "Dining room": dining_room, "Office": office, "Library": library, "Garage": garage,
    "Laundry room": laundry_room, "Nursery": nursery, "Gym": gym, "Music room": music_room,
    "Greenhouse": greenhouse, "Pantry": pantry, "Art studio": art_studio, "Game room": game_room,
    "Wine cellar": wine_cellar,
}
ROOM_TYPES: tuple[str, ...] = tuple(PAINTERS)


@functools.lru_cache(maxsize=128)
def _picture(room_type: str, size: int) -> np.ndarray:
    image, pen = canvas(size, (0, 0, 0))
    PAINTERS[room_type](pen)
    picture = to_array(image)
    picture.setflags(write=False)
    return picture


def room_picture(room_type: str, size: int) -> np.ndarray:
    """The picture of ``room_type`` (one of ROOM_TYPES), ``size`` x ``size``, as a new array."""
    return _picture(room_type, size).copy()


def paint(pen: Pen, room_type: str) -> None:
    """Draw ``room_type`` into ``pen``'s box (for thumbnails on a map)."""
    PAINTERS[room_type](pen)
