"""The demo installation (Pingdingshan 2020): above every app, since it fills all of them.

``loader.py`` loads the plan through the apps' own services; the .xlsx files sit in ``pingdingshan-2020/``;
``manage.py load_demo`` is the command. No app imports this package.
"""
