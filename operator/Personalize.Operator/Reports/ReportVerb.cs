using System.CommandLine;
using System.Diagnostics;
using k8s;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Local;

namespace Personalize.Operator.Reports;

/// <summary>
/// `personalize report &lt;solution-version&gt;`: finds the version's training report (status.reportUri) and hands it to
/// a person. In local mode (--state) the report is already a file: its path is printed. On a cluster the version is
/// read through the kubeconfig and the report copied from the object store (the S3 settings of the environment, as
/// the operator's) into a local file, whose path is printed. --open also opens it with xdg-open.
/// </summary>
public static class ReportVerb
{
    public static Command Create()
    {
        var version = new Argument<string>("solution-version") { Description = "The SolutionVersion whose report to fetch." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Its namespace (default: the kubeconfig's, or default in local mode).", HelpName = "namespace" };
        var state = new Option<string?>("--state") { Description = "Local mode's state folder: the report is already a file there, and its path is printed.", HelpName = "dir" };
        var store = new Option<string?>("--store") { Description = "Local mode's store folder (default: PERSONALIZE_STORE_ROOT, else <state>/store).", HelpName = "dir" };
        var output = new Option<string?>("--output") { Description = "Where to copy a cluster's report (default: <solution-version>-report.html here).", HelpName = "file" };
        var open = new Option<bool>("--open") { Description = "Also open it with xdg-open." };
        var command = new Command("report", "Fetch a solution version's training report and print its path.") { version, ns, state, store, output, open };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            new ReportRequest(parsed.GetRequiredValue(version), parsed.GetValue(ns), parsed.GetValue(state), parsed.GetValue(store), parsed.GetValue(output), parsed.GetValue(open)),
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(ReportRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var name = request.Name;
        string path;
        try
        {
            path = request.State is { } state
                ? LocalReport(name, request.Namespace ?? "default", state, request.Store)
                : await FetchAsync(name, request.Namespace, request.Output ?? Path.GetFullPath($"{name}-report.html"), cancellationToken);
        }
        catch (ReportNotFoundException e)
        {
            await error.WriteLineAsync($"personalize report: {e.Message}");
            return 1;
        }

        await output.WriteLineAsync(path);
        if (request.Open)
        {
            await OpenAsync(path, error);
        }

        return 0;
    }

    /// <summary>Local mode keeps statuses in the state folder and objects in the store folder (defaults as `personalize local`'s).</summary>
    private static string LocalReport(string name, string ns, string state, string? store)
    {
        var status = ManifestFolderStore.SavedStatus<SolutionVersionStatus>(state, "SolutionVersion", ns, name)
            ?? throw new ReportNotFoundException($"no SolutionVersion {ns}/{name} in the state folder {Path.GetFullPath(state)}");
        var uri = ReportUri(name, status);
        var root = store ?? Environment.GetEnvironmentVariable("PERSONALIZE_STORE_ROOT") ?? Path.Combine(state, "store");
        var file = new FolderObjectStore(root).PathOf(uri);
        return File.Exists(file) ? file : throw new ReportNotFoundException($"{name}'s report {uri} is not in the store folder {root} (--store names it)");
    }

    private static async Task<string> FetchAsync(string name, string? ns, string target, CancellationToken cancellationToken)
    {
        var config = KubernetesClientConfiguration.BuildDefaultConfig();
        using var client = new Kubernetes(config);
        ns ??= config.Namespace ?? "default";
        SolutionVersion version;
        try
        {
            var entity = ApiGroup.EntityOf<SolutionVersion>();
            var found = await client.CustomObjects.GetNamespacedCustomObjectAsync<SolutionVersion>(entity.Group, entity.ApiVersion, ns, entity.PluralName, name, cancellationToken);
            version = found;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new ReportNotFoundException($"no SolutionVersion {ns}/{name}", e);
        }

        var uri = ReportUri(name, version.Status);
        var store = ObjectStoreFactory.FromEnvironment();
        await using (var source = await store.OpenReadAsync(uri, cancellationToken))
        await using (var file = File.Create(target))
        {
            await source.CopyToAsync(file, cancellationToken);
        }

        return Path.GetFullPath(target);
    }

    private static S3Uri ReportUri(string name, SolutionVersionStatus status) =>
        status.ReportUri is { } report && S3Uri.TryParse(report, out var uri)
            ? uri
            : throw new ReportNotFoundException($"SolutionVersion {name} has no report yet (phase {status.Phase ?? "none"}; reports are written when training succeeds)");

    private static async Task OpenAsync(string path, TextWriter error)
    {
        try
        {
            using var opener = Process.Start(new ProcessStartInfo("xdg-open", [path]) { UseShellExecute = false });
            if (opener is not null)
            {
                await opener.WaitForExitAsync();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            await error.WriteLineAsync("personalize report: xdg-open is not installed; open the file above in a browser");
        }
    }

    /// <summary>What `personalize report` was asked for.</summary>
    public sealed record ReportRequest(string Name, string? Namespace, string? State, string? Store, string? Output, bool Open);

    private sealed class ReportNotFoundException(string message, Exception? inner = null) : Exception(message, inner);
}
