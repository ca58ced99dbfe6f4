using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Components;

/// <summary>
/// A component identity <c>type[/name]</c> with the collector's validation: the type matches
/// <c>^[a-zA-Z][0-9a-zA-Z_]{0,62}$</c>; the optional name is 1–1024 characters with no white space,
/// control or symbol characters. The split is on the first <c>/</c>; parts are trimmed.
/// </summary>
public readonly partial record struct ComponentId(string Type, string? Name)
{
    private const int MaxNameLength = 1024;

    [GeneratedRegex("^[a-zA-Z][0-9a-zA-Z_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TypePattern();

    public override string ToString() => Name is null ? Type : $"{Type}/{Name}";

    public static ComponentId Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? text, out ComponentId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "id must not be empty";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var type = (slash < 0 ? text : text[..slash]).Trim();
        string? name = slash < 0 ? null : text[(slash + 1)..].Trim();

        if (type.Length == 0)
        {
            error = $"in \"{text}\" the part before / should not be empty";
            return false;
        }

        if (!IsValidType(type))
        {
            error = $"invalid character(s) in type \"{type}\": a type starts with an ASCII letter and has at most 63 letters, digits or underscores";
            return false;
        }

        if (name is not null)
        {
            if (name.Length == 0)
            {
                error = $"in \"{text}\" the part after / should not be empty";
                return false;
            }

            if (name.Length > MaxNameLength)
            {
                error = $"name in \"{text}\" is longer than {MaxNameLength} characters";
                return false;
            }

            foreach (var rune in name.EnumerateRunes())
            {
                var category = Rune.GetUnicodeCategory(rune);
                if (IsForbidden(category))
                {
                    error = $"invalid character '{rune}' in name of \"{text}\": white space, control and symbol characters are not allowed";
                    return false;
                }
            }
        }

        id = new ComponentId(type, name);
        error = null;
        return true;
    }

    public static bool IsValidType(string type) => TypePattern().IsMatch(type);

    private static bool IsForbidden(UnicodeCategory category) => category switch
    {
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned => true,
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
            or UnicodeCategory.OtherSymbol => true,
        _ => false,
    };
}
