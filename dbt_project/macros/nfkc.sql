{#- NFKC-style normalisation of text.
    Postgres: the real `normalize(x, NFKC)` (needs a UTF8 database).
    DuckDB has only `nfc_normalize`, so we apply the part of NFKC that Japanese CRM data needs:
    full-width ASCII (U+FF01-U+FF5E) and the ideographic space (U+3000) to ASCII, half-width
    katakana (U+FF61-U+FF9F, voiced pairs first) to full-width, and ㈱ to (株). Other
    compatibility characters (circled digits, ligatures, ...) are left as they are. -#}
{% macro nfkc(text_expr) -%}
    {{ return(adapter.dispatch('nfkc')(text_expr)) }}
{%- endmacro %}

{% macro default__nfkc(text_expr) -%}
    normalize({{ text_expr }}, NFKC)
{%- endmacro %}

{% macro duckdb__nfkc(text_expr) -%}
    {%- set s = 'nfc_normalize(' ~ text_expr ~ ')' %}
    {%- set s = 'replace(' ~ s ~ ", 'ｦﾞ', 'ヺ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｳﾞ', 'ヴ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｶﾞ', 'ガ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｷﾞ', 'ギ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｸﾞ', 'グ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｹﾞ', 'ゲ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｺﾞ', 'ゴ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｻﾞ', 'ザ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｼﾞ', 'ジ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｽﾞ', 'ズ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｾﾞ', 'ゼ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ｿﾞ', 'ゾ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾀﾞ', 'ダ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾁﾞ', 'ヂ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾂﾞ', 'ヅ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾃﾞ', 'デ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾄﾞ', 'ド')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾊﾞ', 'バ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾊﾟ', 'パ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾋﾞ', 'ビ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾋﾟ', 'ピ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾌﾞ', 'ブ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾌﾟ', 'プ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾍﾞ', 'ベ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾍﾟ', 'ペ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾎﾞ', 'ボ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾎﾟ', 'ポ')" %}
    {%- set s = 'replace(' ~ s ~ ", 'ﾜﾞ', 'ヷ')" %}
    {%- set s = "replace(" ~ s ~ ", '㈱', '(株)')" %}
    translate({{ s }},
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ 。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゙゚')
{%- endmacro %}
