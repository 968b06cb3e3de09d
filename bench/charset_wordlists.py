"""Raw 8-bit names and words (no RFC 2047) read without a label, per language: word lists
written for branch names8 from knowledge of each language (names, places, months, days,
helpdesk subjects; not drawn from any scored set or corpus), each as written, in capitals,
after "Re: " and before ".pdf", in each legacy charset of its language.

    python3 bench/charset_wordlists.py [--verbose]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "helpdesk_mail_ticket"))

from mailparse.charsets import decode_8bit


def _words(block: str) -> list:
    return [word for line in block.strip().splitlines() for word in line.split("|")]


CS = _words(
    """
Jan Bohatý|Zubatý|Petr Krutý|Marý|Veselý|Zlatý|Hladký|Tvrdý|Mladý|Hloupý|Dobrý|Modrý|Mokrý
Starý|Svatý|Malý|Holý|Pomalý|Bílý|Černý|Nový|Krátký|Rychlý|Šťastný|Novotný|Dvořák
Procházka|Kučera|Horák|Němec|Pokorný|Marek|Pospíšil|Hájek|Jelínek|Růžička|Beneš|Fiala
Sedláček|Doležal|Zeman|Kolář|Navrátil|Čermák|Urban|Vaněk|Blažek|Kříž|Kovář|Bartoš|Vlček
Polák|Kopecký|Musil|Šimek|Konečný|Malý|Holub|Štěpánek|Kadlec|Dostál|Soukup|Šťastný|Mareš
Moravec|Sýkora|Valenta|Vávra|Matoušek|Bláha|Řezníček|Hrubý|Kubát|Chalupa|Kratochvíl|Tichý
Kazda|Zubatý|Bohatý|Krutý|Rohatý|Chlupatý|Kudrnatý|Hrbatý|Vousatý|Ušatý|Nosatý|Kulatý
Rozvážný|Dlouhý|Kamarýt|Ryšavý|Hnědý|Šedý|Žlutý|Zelený|Jarý|Starý|Bosý|Lysý|Hustý|Pustý
Tlustý|Prostý|Zkušený|faktura|Výkaz práce|Příloha č. 1|Objednávka|Dodací list
Smlouva o dílo|Nabídka|Reklamace zboží|Účtenka|Platba kartou|Zpráva o chybě|Dotaz na cenu
Pondělí|úterý|středa|čtvrtek|pátek|sobota|neděle|leden|únor|březen|duben|květen|červen
červenec|srpen|září|říjen|listopad|prosinec|Žádost o přístup|Oprava tiskárny|Výpadek sítě
Heslo nefunguje|Nový účet|Zrušení objednávky|Vrácení peněz|Krutý osud|Bohatý program
Zubatý hřeben
"""
)
SK = _words(
    """
Kováč|Horváth|Varga|Tóth|Nagy|Baláž|Szabó|Molnár|Balog|Lukáč|Novák|Kollár|Mikuláš|Ďurica
Šimko|Hudák|Oravec|Polák|Krajčí|Hriňák|Ľubomír|Žiak|Čierny|Biely|Zelený|Mladý|Starý|Dobrý
Malý|Veľký|Krátky|faktúra|objednávka|Príloha|Žiadosť o prístup|Oprava tlačiarne
Výpadok siete|pondelok|utorok|streda|štvrtok|piatok|sobota|nedeľa|január|február|marec
apríl|máj|jún|júl|august|september|október|november|december|Vrátenie peňazí
Reklamácia tovaru|Ďakujem|Dôležité
"""
)
PL = _words(
    """
Łódź|Wałęsa|Kraków|Gdańsk|Wrocław|Poznań|Szczecin|Białystok|Rzeszów|Kielce|Częstochowa
Zielona Góra|Wojciech|Małgorzata|Grzegorz|Łukasz|Paweł|Michał|Jędrzej|Bożena|Żaneta
Agnieszka|Krzysztof|Dąbrowski|Wiśniewski|Wójcik|Kamiński|Lewandowski|Zieliński|Szymański
Woźniak|Kozłowski|Jankowski|Mazur|Kwiatkowski|Krawczyk|Piotrowski|Grabowski|Nowakowski
Pawłowski|Michalski|Król|Wieczorek|Jabłoński|Wróbel|Majewski|Olszewski|Stępień|Jaworski
Malinowski|Dudek|Górski|Rutkowski|Sikora|Baran|Pietrzak|Faktura|Zamówienie|Reklamacja
Zgłoszenie błędu|Płatność|Załącznik|Wrzesień|Październik|Styczeń|Luty|Kwiecień|Czerwiec
Sierpień|Grudzień|Poniedziałek|Wtorek|Środa|Czwartek|Piątek|Sobota|Niedziela|Hasło|Dostęp
Umowa|Zwrot pieniędzy
"""
)
IS = _words(
    """
Ýmir|Ýsa|Ýmislegt|Ýtarleg skýrsla|Þingvellir|Þorvaldur|Þórður|Þóra|Þjóðleikhúsið
Þriðjudagur|Þakka þér|Mýrdalur|Skýrsla|Sýning|Sýnishorn|Týsdagur|Fýsileg|Kýr|Rýmingarsala
Ýta|Guðmundur|Guðrún|Sigurður|Aðalsteinn|Aðalbjörg|Halldór|Björk|Jónsdóttir|Sigríður
Ragnheiður|Hrafnhildur|Þorsteinn|Þorgerður|Þröstur|Davíð|Árni|Óskar|Ólafur|Reykjavík
Akureyri|Ísafjörður|Egilsstaðir|Húsavík|Hafnarfjörður|Kópavogur|Garðabær|Mosfellsbær
Selfoss|Vestmannaeyjar|Reikningur|Pöntun|Fylgiskjal|Beiðni um aðstoð|Villa í kerfi
Nýtt verkefni|Týrkneska|Hýbýli|mánudagur|þriðjudagur|miðvikudagur|fimmtudagur|föstudagur
laugardagur|sunnudagur|janúar|febrúar|apríl|júní|júlí|ágúst|október|nóvember|desember
Veður|Hýsing|Lýsing|Kerfisstjóri|Þjónusta|Þjónustuver|Aðstoð|Dýr|Býli|Fýla|Sýslumaður
Ýsuflak|Ýlir|Ýr|Ýmsir|Þrándur|Þuríður|Þórunn|Þórarinn
"""
)
TR = _words(
    """
Sayfa adı|Kargo parası|Hesap kartı|Sipariş durumu|Yazıcı arızası|Fransızca kurs|Batı
Yol haritası|Spor salonu kartı|Stadı|Kırkpınar|Demirkıran|Doğu|Moğol|Karadağ|Orkestrası
Kvanzası|Bolivarı|Doları|Dinarı|Altyapı|Altyazı|Üstyapı|Kredi kartları|Yurtları|Sırtlan
Santralı|Kontratı|Kıbrıs|Ağrı|Doğru|Yağmur|Oğuz|Boğaz|Soğuk|Çoğu|Uğur|Tuğba|Buğra|Doğan
Toğrul|Yoğurt|Ağustos|Sığır|Iğdır|Kuzey Kıbrıs|Güney Kore|Ayşe Yılmaz|Mehmet Aydın
Ahmet Yıldız|Mustafa Kılıç|Ali Çelik|Hüseyin Şahin|Hasan Yıldırım|Fatma Öztürk
Emine Arslan|Hatice Doğan|Zeynep Kılıç|İbrahim Aslan|Murat Çetin|Osman Kara|Yusuf Koç
Ömer Kurt|Ramazan Özdemir|Halil Şimşek|Kadir Polat|Süleyman Yavuz|Orhan Kaya|Kırmızı|Sarı
Mavi|Yeşil|Mor|Turuncu|Pazartesi|Salı|Çarşamba|Perşembe|Cuma|Cumartesi|Pazar|Ocak|Şubat
Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık|Fatura|Şikayet|Arıza kaydı
Şifre sıfırlama|Bağlantı sorunu|Toplantı notları|Ürün iadesi|Sipariş onayı
Müşteri hizmetleri|Teslimat adresi|Ödeme başarısız|Hesap kapatma|Yardım talebi|İstanbul
İzmir|İade|İptal|İngiltere|Ankara|Bursa|Adana|Konya|Antalya|Kayseri|Diyarbakır|Eskişehir
Samsun|Denizli|Şanlıurfa|Malatya|Kahramanmaraş|Erzurum|Van|Batman|Elazığ|Sivas|Manisa
Balıkesir|Tokat|Çorum|Muğla|Aydın|Tekirdağ|Kırklareli|Kırşehir|Kırıkkale|Uşak|Düzce|Bolu
Ordu|Rize|Artvin|Kars|Ardahan|Bayburt|Gümüşhane|Bingöl|Muş|Bitlis|Siirt|Şırnak|Hakkari
Yozgat|Nevşehir|Niğde|Aksaray|Karaman|Isparta|Burdur|Afyonkarahisar|Kütahya|Bilecik
Sakarya|Kocaeli|Yalova|Zonguldak|Bartın|Karabük|Kastamonu|Sinop|Çankırı|Amasya|Giresun
Trabzon|Osmaniye|Hatay|Kilis|Gaziantep|Adıyaman|Mardin|Tunceli|Erzincan|Iğdır|Ağrı
Kurtuluş|Koşullar|Boşluk|Doğum günü|Oluşturuldu|Kullanıcı hesabı|Kullanıcı adı|Sorumluluk
Uyumsuzluk|Kolaylık|Okul|Otobüs bileti|Kuruluş|Yorum|Sorun bildirimi|Onay kodu|Konu|Tutar
Buluşma|Muhasebe|Dosyası|Notları|Konumu|Ruhsatı|Tutanağı|Yolculuğu|Uzunluğu|Sonuçları
Kutusu|Kuzu|Kutu|Boru|Ordusu|Okulu|Oyunu|Torunu|Sorunu|Konusu|Kuşu|Kurtarıcı|Toplantı
Otomatik yanıt|Yoğunluk|Ortaklık|Mutluluk|Doktoru|Motoru|Kombinasyonu|Rusça
Kolombiya Pesosu|Bahama Doları|Kuveyt Dinarı|Hong Kong Doları|Rus Rublesi|Doğu Timor
Moğolca|Moğolistan|Karadağ Avrosu|Dağıstan|Boğaziçi|Oğlu|Karaoğlu|Kocaoğlu|Osmanoğlu
Ağaoğlu|Yavuzoğlu|Çağrı merkezi|Sağlık|Dağ|Yağ|Bağ|Çağ|Sağ|Ağaç|Ağır|Ağız|Soğan|Doğal|Boğa
Toğla|Yoğun|Çoğul|Oğul|Koğuş|Doğa|Doğuş|Uğurlu|Buğday|Tuğla
"""
)
AZ = _words(
    """
Sumqayıt|Qarabağlı|Musaxanlı|Sadıq|Bakı|Gəncə|Xaçmaz|Şəki|Quba|Lənkəran|Mingəçevir
Naxçıvan|Şamaxı|Ağdam|Qəbələ|Zaqatala|Ağcabədi|Qazax|Tovuz|Şirvan|Yevlax|Ağstafa|Xızı
Qubadlı|Ağsu|Salyan|Astara|Masallı|Lerik|Yardımlı|Cəlilabad|Bərdə|Tərtər|Goranboy|Kəlbəcər
Laçın|Füzuli|Cəbrayıl|Zəngilan|Qax|Balakən|Oğuz|Ismayıllı|Qusar|Siyəzən|Şabran|Abşeron
Əliyev|Məmmədov|Həsənov|Hüseynov|Quliyev|Cəfərov|Rzayev|Qasımov|Kərimov|Abbasov|Babayev
Mustafayev|Orucov|Şükürov|Bağırov|Sadıqov|Nağıyev|Ağayev
"""
)
IT = _words(
    """
lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|perché|città|più|così|già|però
università|qualità|attività|Niccolò|Nicolò|Sabatini|Mattè|Tosì|Bellò|Fiorì|Pellegrinò
caffè|tè|né|sé|poiché|affinché|cioè|ciò|giù|virtù|gioventù|sarà|farò|andrò|verrò
Fattura n. 12|Preventivo|Richiesta di assistenza|Guasto stampante|Ordine confermato|novità
felicità|identità|età|metà|Forlì|Cantù|Mondovì|Agliè|Lomè|Canicattì|Oristano|Cefalù|Amalfi
Portofino|Pagamento non riuscito|Reso merce|Garanzia|Giovedì prossimo|Lunedì mattina
Venerdì sera|Mercoledì|dì
"""
)
FR = _words(
    """
Élodie|Hélène|Benoît|Gaëlle|Noël|Zoë|Anaïs|Loïc|Maëlle|Joël|Raphaël|Françoise|François
Jérôme|Cécile|Sébastien|Stéphane|Frédéric|Thérèse|Léa|Chloé|Amélie|Aurélie|Mélanie|Valérie
Émilie|Céline|Gérard|René|André|Rémi|Côme|Brûlé|Lefèvre|Lefèbvre|Bénédicte|Géraldine|Élève
Facture n° 3|Réclamation|Problème d'accès|Commande annulée|Mot de passe oublié
Pièce jointe|Demande de remboursement|Rendez-vous reporté|Réunion|Août|Février|Décembre
Mélenchon|Pénélope|Noémie|Maïwenn|Citroën|Nîmes|Besançon|Orléans|Angoulême|Saint-Étienne
Périgueux|Béziers|Mâcon|Château|Forêt|Hôtel|Crème brûlée|Naïve|Maïs|Haïti|Caraïbes|slovène
maasaï|Coïncidence|Égalité|Garçon|Leçon|Reçu|Façade
"""
)
DE = _words(
    """
Müller|Schröder|Größe|Straße|Jürgen|Jörg|Björn|Käthe|Bärbel|Günther|Hölderlin|Köln|München
Düsseldorf|Nürnberg|Würzburg|Lübeck|Göttingen|Saarbrücken|Rechnung über 12 €|Bestätigung
Lieferverzögerung|Störung|Überweisung|Rückerstattung|Änderung|Übersicht|Ärger
Öffnungszeiten|Grüße|Fußball|Gebühren|Kündigung|Prüfung|Bürgermeister|Schlüssel|Tür
Mädchen|Hühner|Möbel|Häuser|Bäckerei|Glück|Brötchen|Frühstück|März|Dürr|Kühn|Löw|Jäger
Weiß|Groß|Süß|Blöd
"""
)
ZH = _words(
    """
本月|中文|港元|山田|北京|上海|广州|深圳|发票|订单|退款|问题|报告|会议|通知|合同|付款|客户
服务|技术支持|打印机故障|网络中断|密码重置|张伟|王芳|李娜|刘洋|陈静|杨磊|黄勇|赵敏|周杰
吴刚|徐明|孙丽|马超|朱军|胡斌|郭涛|何平|林峰|高翔|罗平|本周|月底|今天|明天|文件|附件|中国
台湾|香港|年度报告|一月|二月|三月|四月|五月|六月|七月|八月|九月|十月|星期一|星期二|星期三
星期四|星期五|星期六|星期日|元月|文化|月份|本人|本地|中心|中国银行|大学|小明|电脑|手机
系统|软件
"""
)
ZHT = _words(
    """
本月|中文|港元|台北|高雄|台中|發票|訂單|退款|問題|報告|會議|通知|合約|付款|客戶|服務
技術支援|印表機故障|網路中斷|密碼重設|張偉|王芳|李娜|劉洋|陳靜|楊磊|黃勇|趙敏|周杰|吳剛
本週|月底|今天|明天|文件|附件|中國|台灣|香港|年度報告|一月|二月|三月|四月|五月|六月|七月
八月|九月|十月|星期一|星期二|星期三|星期四|星期五|星期六|星期日|元月|文化|月份|本人|本地
中心|大學|小明|電腦|手機|系統|軟體|中文版|月刊|文月|元旦|日文|本文|月光|中月|文中
"""
)
JA = _words(
    """
山田　太郎|佐藤　花子|鈴木　一郎|田中　次郎|高橋　美咲|山田太郎|佐藤|鈴木|高橋|田中|伊藤
渡辺|山本|中村|小林|加藤|吉田|山口|松本|井上|木村|林|斎藤|清水|見積り|申込み|請求書|注文
返品|お問い合わせ|ご注文ありがとうございます|送って|1ヶ月|関ヶ原|東京|大阪|京都|会議
報告書|添付ファイル|パスワード|システム障害|プリンター|ネットワーク|月曜日|火曜日|水曜日
木曜日|金曜日|土曜日|日曜日|本日|中止|文書|テスト|メール|キャンセル|ありがとう
よろしくお願いします|緩む|残る|東京　大阪|株式会社　山田|山田　様|田中　一郎　様
"""
)
SETS = {
    "cs": (CS, ("cp1250", "iso-8859-2")),
    "sk": (SK, ("cp1250", "iso-8859-2")),
    "pl": (PL, ("cp1250", "iso-8859-2")),
    "is": (IS, ("cp1252",)),
    "tr": (TR, ("cp1254",)),
    "az": (AZ, ("cp1254",)),
    "it": (IT, ("cp1252",)),
    "fr": (FR, ("cp1252",)),
    "de": (DE, ("cp1252",)),
    "zh": (ZH, ("gbk",)),
    "zh_Hant": (ZHT, ("big5",)),
    "ja": (JA, ("shift_jis", "euc-jp")),
}


def score(verbose: bool = False) -> dict:
    """{language: (wrong, total)}; with ``verbose`` each wrong reading on stderr."""
    out = {}
    for language, (words, charsets) in SETS.items():
        wrong = total = 0
        for word in words:
            for text in (word, word.upper(), "Re: " + word, word + ".pdf"):
                for charset in charsets:
                    try:
                        data = text.encode(charset)
                    except UnicodeEncodeError:
                        continue
                    if data.isascii():
                        continue
                    total += 1
                    read = decode_8bit(data)
                    if read != text:
                        wrong += 1
                        if verbose:
                            print(f"  {language} {charset}: {text!r} -> {read!r}", file=sys.stderr)
        out[language] = (wrong, total)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="wrong readings on stderr")
    args = parser.parse_args()
    print("| language | wrong |")
    print("|---|---|")
    for language, (wrong, total) in score(args.verbose).items():
        print(f"| {language} | {wrong}/{total} |")


if __name__ == "__main__":
    main()
