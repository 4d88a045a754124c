/* Replaces pydata-sphinx-theme's _static/scripts/fontawesome.js (Font Awesome 6.5.2's SVG+JS bundle, 1.5 MB on
   every page): html_static_path files are copied over the theme's. The same icons come from Font Awesome's
   CSS web font, vendored by `make vendor` and listed in _config.yml's html_css_files, so the theme's
   <i class="fa-solid ..."> elements render without this script. Kept as an empty file because the theme's
   template loads it on every page. */
