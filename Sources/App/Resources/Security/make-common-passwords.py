#!/usr/bin/env python3
"""Regenerates common-passwords.txt (next to this script) for CareAbroad's PasswordPolicy.

The list is written for this project from patterns people commonly use; it is not a
copy of any published breach corpus. Run it from anywhere:

    python3 Sources/App/Resources/Security/make-common-passwords.py

What goes in (all lowercased, deduplicated, sorted):
  * base words x suffixes (years 1990-2026, 123, 1234, 12345, 123456, !, !!, 01, 007),
    kept when 12+ characters long;
  * "stems" of 8-11 characters that people stretch to 12+ with a suffix (long base words,
    name/team/season/month + year). PasswordPolicy strips trailing digits and punctuation
    and refuses the result when it is 8+ characters and listed, so "password123456!" and
    "summer2024!!" are caught through "password" and "summer2024";
  * doubled words, keyboard walks, digit runs and hand-picked phrases, kept when 8+ long.
Entries shorter than 8 characters are never useful (the policy's minimum is 12) and are dropped.
"""

from pathlib import Path

OUT = Path(__file__).with_name("common-passwords.txt")
MIN_FULL = 12   # combinations must reach the policy minimum on their own
MIN_STEM = 8    # stems/hand-picked entries: the policy's minimum stripped length

YEARS = [str(y) for y in range(1990, 2027)]
SUFFIXES = YEARS + ["123", "1234", "12345", "123456", "!", "!!", "01", "007"]

# Words people build passwords from.
BASE_WORDS = """
password passw0rd p@ssword p@ssw0rd pa55word pa$$word passwort motdepasse contrasena
iloveyou iloveu loveyou lovely loveme mylove lover
qwerty qwertyuiop qwertyui asdfgh asdfghjkl zxcvbnm qazwsx 1qaz2wsx zaq12wsx
letmein welcome welcome1 changeme secret secure default master admin administrator
root login access monkey dragon shadow sunshine princess football baseball basketball
soccer hockey superman batman spiderman starwars pokemon minecraft fortnite
whatever freedom trustno1 computer internet hello hellokitty charlie michael jordan
jordan23 harley ranger hunter buster thomas tigger robert daniel andrew joshua
matthew jennifer jessica ashley amanda nicole michelle elizabeth samantha
chocolate butterfly flower summer winter spring autumn
cookie cheese pepper ginger banana orange purple yellow silver golden diamond
mustang corvette ferrari porsche mercedes liverpool chelsea arsenal manchester
barcelona realmadrid juventus cowboys yankees steelers lakers packers patriots
eagles redsox giants dolphins raiders broncos
family friends forever blessed jesus jesuschrist christ heaven angel angels
beautiful happiness sweetheart babygirl babyboy princess1 mother father mommy daddy
nothing something anything everything
america england london paris berlin madrid newyork california canada australia
medical doctor nurse health healthcare hospital travel holiday vacation
starbucks google facebook instagram twitter youtube netflix amazon microsoft apple
dolphin tiger lion eagle falcon phoenix wizard knight warrior legend
killer matrix hacker guitar music rockstar superstar
summertime wintertime christmas halloween valentine
""".split()

FIRST_NAMES = """
michael christopher matthew joshua daniel david andrew james justin joseph ryan john
robert nicholas anthony william jonathan kevin brandon thomas tyler alexander jacob
benjamin samuel jessica ashley jennifer amanda sarah stephanie nicole heather
elizabeth megan melissa amber rachel lauren danielle michelle kimberly christina
emily samantha rebecca katherine olivia sophia isabella charlotte amelia harper
victoria natalie hannah madison abigail alexandra patricia barbara margaret
""".split()

TEAMS = """
liverpool chelsea arsenal tottenham everton newcastle manchester manutd mancity
barcelona realmadrid juventus bayern dortmund galatasaray fenerbahce besiktas
flamengo corinthians palmeiras boca riverplate celtic rangers ajax benfica porto
cowboys yankees steelers lakers packers patriots eagles redsox celtics warriors
bulls knicks dodgers giants seahawks chiefs broncos raiders dolphins ravens
""".split()

SEASONS = ["spring", "summer", "autumn", "fall", "winter"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]

DOUBLED = """
password monkey dragon qwerty letmein iloveyou shadow master summer welcome
trustno1 abc123 hello secret sunshine princess football freedom admin love
passw0rd asdf1234 qwer1234 1q2w3e4r zxcvbnm
""".split()

KEYBOARD_WALKS = """
qwertyuiop qwertyuiopasdf qwertyuiop123 qwertyuiop1234 qwertyuiopasdfghjkl
qwertyuiopasdfghjklzxcvbnm asdfghjklqwerty asdfghjkl123 asdfghjkl1234 asdfghjkl;'
zxcvbnmasdfghjkl zxcvbnm12345 zxcvbnm123456 qazwsxedcrfv qazwsxedcrfvtgb
qazwsxedcrfvtgbyhn 1qaz2wsx3edc 1qaz2wsx3edc4rfv 1qaz@wsx3edc zaq12wsxcde3
zaq1xsw2cde3 zaq1xsw2cde3vfr4 !qaz2wsx#edc 1q2w3e4r5t6y 1q2w3e4r5t6y7u8i
1q2w3e4r5t6y7u8i9o0p q1w2e3r4t5y6 q1w2e3r4t5y6u7i8 qwer1234asdf qwerasdfzxcv
qwertasdfgzxcvb 1234qwerasdf 1234qwerasdfzxcv qwe123qwe123 asd123asd123
1qazxsw23edc 1qazxsw2 !qaz@wsx#edc qwerty123456 qwerty1234567 qwertyui1234
asdfgh123456 asdfasdfasdf qwerqwerqwer zxczxczxczxc 147258369147 147852369123
159753159753 159357159357 741852963741 963852741963 789456123789 123698745123
mnbvcxzlkjhgfdsa poiuytrewqlkjhgfdsa poiuytrewq123 0987654321qwerty
qwertzuiop123 azertyuiop123 azertyuiopqsdf qwertz123456 azerty123456
""".split()

DIGITS_AND_LETTERS = """
123456789012 1234567890123 12345678901234 123456789000 111111111111 000000000000
123123123123 121212121212 112233445566 111222333444 123456123456 123451234512
987654321098 098765432109 123456654321 102030405060 010203040506 696969696969
abcdefghijkl abcdefghijklm abcdefghijklmnop abcdefgh1234 abcd12345678 abc123abc123
abcabcabcabc aaaaaaaaaaaa abcdef123456 a1b2c3d4e5f6 a1b2c3d4e5f6g7h8 1a2b3c4d5e6f
aa123456789 abc123456789 qwe123456789 password12345678 123qweasdzxc 123qwe123qwe
zyxwvutsrqpo 12345678abcd 1234abcd1234 abcd1234abcd 11223344aabb
""".split()

HAND_PICKED = """
password1234 password12345 password123456 password1! passw0rd1234 p@ssw0rd1234 p@ssword1234
mypassword123 mypassword1234 newpassword123 newpassword1 oldpassword123 thisismypassword
passwordpassword password!234 passwordisnotsecure ilovemypassword
iloveyou1234 iloveyousomuch iloveyoubaby iloveyouforever iloveyoumore iloveyoutoo123
iloveyou2much iloveyou4ever iloveyoumom ilovemymom ilovemydad ilovemyfamily ilovemydog
ilovemycat ilovejesus ilovegod jesuslovesme jesusismylord godisgood123 godisgreat123
godisgood godisgreat blessed2024 blessedandhighlyfavored
letmein12345 letmeinplease letmeinnow letmein123456 opensesame123 opensesame
welcome12345 welcome123456 welcometomyworld welcomehome123 welcome2024!
changeme1234 changeme123456 changemenow changemeplease pleasechangeme
administrator administrator1 administrator123 admin12345678 adminadmin123 adminpassword
superadmin123 sysadmin1234 rootpassword root12345678 rootroot1234 toor12345678
trustno1trustno1 trustnoone123 whatever1234 whatever12345 nothing12345
correcthorsebatterystaple correcthorse123
thequickbrownfox thequickbrownfoxjumpsoverthelazydog
onetwothreefour onetwothree123 qwertyqwerty123 monkeymonkey123
letmeinletmein iamtheadmin iamthebest123 iamawesome123 youwillneverguess
cantguessthis cannotguessthis idontknow1234 idontknow123 idontcare1234
mysecretpassword secretpassword supersecret123 supersecretpassword topsecret1234
defaultpassword default12345 guestguest123 guest1234567 useruser1234 user12345678
testtest1234 test12345678 testing123456 testpassword test1234test
temppassword temp12345678 temporary123 temporarypassword
loginlogin123 login12345678 access123456 accessgranted letmeaccess
starwars1977 maytheforcebewithyou harrypotter123 harrypotter hogwarts1234
gameofthrones winteriscoming lordoftherings pokemon12345 pikachu12345 minecraft123
spongebob1234 chickennuggets happybirthday happybirthday1 merrychristmas
qwertyuiop123 qwertyuiop1234 qwertyuiopas 1qaz2wsx3edc4rfv
footballfootball soccersoccer basketball123 baseball12345 football2024 football12345
manchesterunited manchesterunited1 manchestercity liverpoolfc liverpoolfc1892
arsenalfc1886 chelseafc1905 realmadrid1902 barcelona1899 ynwa1892ynwa
medicaltourism medicaltravel healthcare123 healthtravel123 travelabroad123 careabroad123
doctor123456 nurse1234567 hospital1234 surgery12345 dentist12345
newyorkcity newyork12345 losangeles123 sanfrancisco london123456 australia123
sunshine1234 sunshine12345 princess1234 princess12345 dragon123456 monkey123456
shadow123456 master123456 michael12345 charlie12345 jordan232323 superman1234
batman123456 spiderman123 freedom12345 computer1234 internet1234 starwars1234
blink182blink182 iloveyou143 143iloveyou 5201314520 woaini1314 woaini520
abcdefg12345 abcde1234567 asdf1234asdf qwer1234qwer zxcv1234zxcv 1qazxsw2 zaq1zaq1zaq1
""".split("\n")


def add(entries, word, minimum):
    w = word.strip().lower()
    if len(w) >= minimum:
        entries.add(w)


def main():
    entries = set()

    # Base words: the long ones as stems, and every word with every suffix.
    for word in BASE_WORDS:
        add(entries, word, MIN_STEM)
        for suffix in SUFFIXES:
            add(entries, word + suffix, MIN_FULL)
        # No "word1234!"-style entries: the policy strips trailing punctuation before looking up,
        # so "word1234" already covers them (and keeps the file small).

    # Names and teams + year (stems; "michael1990!!" is caught through "michael1990"), + longer suffixes.
    for name in FIRST_NAMES + TEAMS:
        add(entries, name, MIN_STEM)
        for year in YEARS:
            add(entries, name + year, MIN_STEM)
        for suffix in SUFFIXES:
            add(entries, name + suffix, MIN_FULL)

    # Seasons and months + year: summer2024, summer2024!, autumn2025, december2019, ...
    for word in SEASONS + MONTHS:
        for year in YEARS:
            add(entries, word + year, MIN_STEM)
            add(entries, word + year + "!", MIN_STEM)
            add(entries, word + "@" + year, MIN_STEM)

    # Common words doubled (and tripled when short).
    for word in DOUBLED:
        add(entries, word * 2, MIN_STEM)
        if len(word) * 2 < MIN_FULL:
            add(entries, word * 3, MIN_STEM)
        add(entries, word * 2 + "123", MIN_FULL)

    for group in (KEYBOARD_WALKS, DIGITS_AND_LETTERS):
        for entry in group:
            add(entries, entry, MIN_STEM)

    for line in HAND_PICKED:
        for entry in line.split():
            add(entries, entry, MIN_STEM)
    # Phrases typed with their spaces.
    for phrase in ("correct horse battery staple", "the quick brown fox",
                   "i love you forever", "let me in please"):
        add(entries, phrase, MIN_STEM)

    header = [
        "# CareAbroad: commonly chosen passwords refused by PasswordPolicy (Domain/Accounts).",
        "# Generated for this project by make-common-passwords.py in this folder from base words",
        "# x common suffixes, name/team/season/month + year patterns, keyboard walks and",
        "# hand-picked phrases. It is not a copy of any published password list.",
        "# One lowercased entry per line; lines starting with # are comments, blank lines ignored.",
        "# Entries of 8-11 characters are stems: the policy strips trailing digits/punctuation",
        "# from a password and refuses it when what is left (8+ characters) is listed here.",
        "# Do not edit by hand: change the script and run it again.",
    ]
    body = sorted(entries)
    OUT.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"wrote {len(body)} entries, {OUT.stat().st_size} bytes to {OUT}")


if __name__ == "__main__":
    main()
