# zsh -f zsh_complete.zsh COMPLETION_FILE "LINE"
# Prints the candidates zsh's own completion system offers at the end of LINE, one a line,
# sorted: an interactive zsh in a pseudo-terminal (zpty) with compinit and the script loaded,
# LINE typed and TAB pressed, with compadd wrapped to print what it is given to offer. No
# command is ever run (the line is never entered).
zmodload zsh/zpty || exit 2
file=$1 line=$2
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT="
zpty -w z "autoload -U compinit && compinit -u -D"
zpty -w z "source ${(q)file}"
zpty -w z "zstyle ':completion:*' list-grouped false"
zpty -w z "zstyle ':completion:*' insert-tab false"
zpty -w z "bindkey '^I' complete-word"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) && print -rl -- "<<"hit">>"${^__hits}
}'
zpty -w z 'comppostfuncs=(__done); __done() { print -r -- "<<"done">>"; exit }'
zpty -n -w z "$line"$'\t'
out=""
while zpty -r z chunk; do
  out+=$chunk
  [[ $out == *"<<done>>"* ]] && break
done
out=${out//$'\r'/}
out=${out//"<<hit>>"/$'\n'"<<hit>>"}
local -a lines hits
lines=("${(@f)out}")
hits=(${${(M)lines:#"<<hit>>"*}#"<<hit>>"})
print -rl -- $hits | sort -u
zpty -d z
